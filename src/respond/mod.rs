//! Responses to requesters: the shipped templates, words and authorities (`data`), rendering with the law's
//! required content checked (`render`), and the email message built for the outbox (`message`).

pub mod data;
pub mod letter;
pub mod render;

pub use data::{Authority, DefaultTemplate, STAGES, data};
pub use render::{Context, Organisation, Rendered, check_one_line, check_template, known_variables, one_line, render};
