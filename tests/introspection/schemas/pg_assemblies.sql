-- CHECKs that compare two references: a part built from a different part, a route between two
-- different stations (one of them the row's parent), a swap whose ends come in order.
CREATE TABLE part (
    part_id     serial PRIMARY KEY,
    label       varchar(40) NOT NULL
);
CREATE TABLE assembly_step (
    step_id     serial PRIMARY KEY,
    whole_id    integer REFERENCES part (part_id),
    piece_id    integer NOT NULL REFERENCES part (part_id),
    quantity    smallint NOT NULL CHECK (quantity > 0),
    CONSTRAINT step_not_itself CHECK (whole_id <> piece_id)
);
CREATE TABLE station (
    station_id  serial PRIMARY KEY,
    name        text NOT NULL
);
CREATE TABLE route (
    route_id    serial PRIMARY KEY,
    origin_id   integer NOT NULL REFERENCES station (station_id),
    target_id   integer NOT NULL REFERENCES station (station_id),
    CHECK (origin_id != target_id)
);
CREATE TABLE part_swap (
    swap_id     serial PRIMARY KEY,
    low_part    integer NOT NULL REFERENCES part (part_id),
    high_part   integer NOT NULL REFERENCES part (part_id),
    CHECK (low_part < high_part)
);
