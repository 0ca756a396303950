-- SQLite: JSON kept in text columns behind json_valid CHECKs (bare, which also keeps nulls out
-- on SQLite before 3.45, and after `IS NULL OR`), a SQL Server style UNIQUEIDENTIFIER, and a
-- text column whose CHECK fixes its length exactly.
CREATE TABLE "Document" (
    "DocumentId"  INTEGER PRIMARY KEY AUTOINCREMENT,
    "Body"        TEXT NOT NULL CHECK (json_valid("Body")),
    "Extra"       TEXT CHECK (("Extra" IS NULL) OR json_valid([Extra])),
    "Settings"    TEXT,
    "RowGuid"     UNIQUEIDENTIFIER NOT NULL,
    "Shelf"       TEXT CHECK (length("Shelf") = 4),
    CHECK (json_valid(Settings))
);
CREATE TABLE "Revision" (
    "RevisionId"  INTEGER PRIMARY KEY,
    "DocumentId"  INTEGER NOT NULL REFERENCES "Document" ("DocumentId"),
    "Patch"       TEXT CHECK (json_valid("Patch"))
);
