-- Enum types, in a column, an array of enums, and as part of a key.
CREATE TYPE weekday AS ENUM ('mon', 'tue', 'wed', 'thu', 'fri');
CREATE TYPE state AS ENUM ('draft', 'sent', 'paid', 'void');
CREATE TABLE rota (
    rota_id     serial PRIMARY KEY,
    day         weekday NOT NULL,
    status      state NOT NULL DEFAULT 'draft',
    off_days    weekday[]
);
CREATE TABLE shift (
    rota_id     integer NOT NULL REFERENCES rota ON DELETE CASCADE,
    day         weekday NOT NULL,
    hours       numeric(4, 1) NOT NULL CHECK (hours > 0 AND hours <= 12),
    PRIMARY KEY (rota_id, day)
);
