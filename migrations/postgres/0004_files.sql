-- The register's files kept by the server (attachments, identity evidence, letters, the logo, the mailbox's tray),
-- so that every officer's app reads the same files. Each is named by its path inside the register's folder as the
-- SQLite register lays it out (`attachments/<request>/<file>`), and held in chunks of at most 1 MiB: a file of any
-- size is written and read in constant memory.
CREATE TABLE stored_files (
    name       text COLLATE "C" PRIMARY KEY,
    size       bigint NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stored_file_chunks (
    name  text COLLATE "C" NOT NULL REFERENCES stored_files (name) ON DELETE CASCADE,
    n     bigint NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (name, n)
);
-- Each chunk is stored as it is: compressing encrypted or already compressed files (PDF, JPEG, ZIP) costs time for
-- nothing.
ALTER TABLE stored_file_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
