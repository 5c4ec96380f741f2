//! A real PostgreSQL server for tests: Debian's `postgresql` as a throwaway cluster (`initdb` in a temporary
//! folder, as the `postgres` user when the tests run as root), reached over a Unix socket in that folder and on a
//! free loopback port, started once per test process and stopped when the process ends (a watchdog that outlives
//! it stops the server and removes the folder, however the tests end). Each test takes a fresh database.
//!
//! Shared by the core's unit tests (`testing.rs`) and the integration tests (`tests/it/support.rs`), which include
//! this file by path: it uses nothing of the crate.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use postgres::{Client, NoTls};

pub struct Server {
    dir: PathBuf,
    port: u16,
}

/// The process's server, started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(Server::start)
}

fn bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed: scripts/setup.sh installs Debian's postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort_by_key(|p| p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()?.parse::<u32>().ok()));
    found.pop().expect("no initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// `program args…`, as the `postgres` user when running as root (initdb refuses root).
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// A test CA and a server certificate for localhost and 127.0.0.1 signed by it (rustls checks the chain and the
/// name, and refuses a self-signed server certificate), made with the `openssl` command: the CA, the certificate
/// and its key (0600), in `dir`.
pub fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let steps: [&[&str]; 3] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Rightsdesk test CA",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    ];
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    for args in steps {
        let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    fn start() -> Server {
        let bin = bin_dir();
        let dir = std::env::temp_dir().join(format!("rightsdesk-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let ok = Command::new("chown").arg("postgres:postgres").arg(&dir).status().unwrap().success();
            assert!(ok, "chown of the cluster's folder");
        }
        let data = dir.join("data");
        let out = as_server_user(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        make_certificates(&dir);
        if is_root() {
            let key = dir.join("server.key");
            let ok = Command::new("chown").arg("postgres:postgres").arg(key).status().unwrap().success();
            assert!(ok, "chown of the server's key");
        }
        let port = free_port();
        let options = format!(
            "-k {d} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 -c ssl=on -c ssl_cert_file={d}/server.pem \
             -c ssl_key_file={d}/server.key",
            d = dir.display()
        );
        let out = as_server_user(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.join("server.log"))
            .args(["-w", "start"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
        );
        // The watchdog: when this process is gone, stop the server and remove its folder.
        let watchdog = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; {stop} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            stop = bin.join("pg_ctl").display(),
            data = data.display(),
            dir = dir.display(),
        );
        let mut w = as_server_user(Path::new("/bin/sh"));
        w.args(["-c", &watchdog]).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
        w.stderr(std::process::Stdio::null());
        // Its own process group: not stopped with the test harness's. Never waited for: it outlives this process.
        use std::os::unix::process::CommandExt;
        w.process_group(0);
        #[allow(clippy::zombie_processes)]
        w.spawn().unwrap();
        Server { dir, port }
    }

    /// A connection string for `database` as the server's superuser, over the socket.
    pub fn url(&self, database: &str) -> String {
        format!("host={} port={} user=postgres dbname={database}", self.dir.display(), self.port)
    }

    /// The same over TCP on the loopback address, where TLS applies (required unless `query` says otherwise).
    pub fn tcp_url(&self, database: &str, query: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}{query}", self.port)
    }

    /// A connection string for `database` as `user`, over the socket (as psql would connect).
    pub fn socket_url(&self, database: &str, user: &str) -> String {
        format!("host={} port={} user={user} dbname={database}", self.dir.display(), self.port)
    }

    /// The test CA that signed the server's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    pub fn client(&self, database: &str) -> Client {
        Client::connect(&self.url(database), NoTls).unwrap()
    }

    /// A new empty database; its name.
    pub fn fresh_database_name(&self) -> String {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        self.client("postgres").batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        name
    }

    /// A connection to a new empty database.
    pub fn fresh_database(&self) -> Client {
        let name = self.fresh_database_name();
        self.client(&name)
    }

    /// A login that may read `database`'s register but not change it (an auditor); its connection string.
    pub fn reader_url(&self, database: &str) -> String {
        let role = format!("r_{}", uuid::Uuid::new_v4().simple());
        let mut admin = self.client(database);
        admin
            .batch_execute(&format!(
                "CREATE ROLE {role} LOGIN; GRANT CONNECT ON DATABASE {database} TO {role};
                 GRANT USAGE ON SCHEMA public TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};"
            ))
            .unwrap();
        self.socket_url(database, &role)
    }
}
