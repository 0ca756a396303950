-- SQLite: declared types of every spelling, without rowid aliases, WITHOUT ROWID.
CREATE TABLE "Customer" (
    "CustomerId"  INTEGER NOT NULL,
    "FirstName"   NVARCHAR(40) NOT NULL,
    "Email"       NVARCHAR(60) NOT NULL,
    "Joined"      DATETIME NOT NULL,
    "Score"       DOUBLE,
    "Flag"        TINYINT NOT NULL CHECK ("Flag" IN (0, 1)),
    "Photo"       BLOB,
    "Uid"         UUID,
    "Meta"        JSON,
    CONSTRAINT "PK_Customer" PRIMARY KEY ("CustomerId")
);
CREATE TABLE "Visit" (
    "CustomerId"  INTEGER NOT NULL REFERENCES "Customer" ("CustomerId"),
    "Day"         DATE NOT NULL,
    "Amount"      DECIMAL(8, 2),
    PRIMARY KEY ("CustomerId", "Day")
) WITHOUT ROWID;
