//! The PostgreSQL test server (`test_server.rs`, shared with the integration tests) and the store contract's
//! engine on it.

#[path = "test_server.rs"]
mod test_server;

pub(crate) use test_server::server;

/// The store contract's engine: each register a fresh database on the test server.
pub(crate) struct PostgresEngine;

impl crate::store::contract::Engine for PostgresEngine {
    fn fresh(&self) -> crate::store::Store {
        let s = server();
        let name = s.fresh_database_name();
        let target = super::Target::parse(&s.url(&name)).unwrap();
        crate::store::Store::new(Box::new(super::Postgres::open(target, "2026-03-02T10:00:00Z").unwrap()))
    }

    fn read_only(&self, store: &crate::store::Store) -> crate::store::Store {
        let shown = store.path().to_string_lossy().to_string();
        let database = shown.rsplit('/').next().unwrap().to_string();
        let target = super::Target::parse(&server().reader_url(&database)).unwrap();
        crate::store::Store::new(Box::new(super::Postgres::open(target, "").unwrap()))
    }
}
