//! Contract tests of the store traits (filled in below).
