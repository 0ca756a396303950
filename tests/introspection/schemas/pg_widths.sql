-- Text widths and integer widths that a guess must respect.
CREATE TABLE person (
    person_id   smallserial PRIMARY KEY,
    first_name  varchar(6) NOT NULL,
    last_name   varchar(8) NOT NULL,
    city        varchar(10),
    country     char(2) NOT NULL,
    email       varchar(20),
    phone       varchar(12),
    company     varchar(15),
    age         smallint CHECK (age >= 0),
    balance     numeric(5, 2),
    code        char(4) UNIQUE
);
