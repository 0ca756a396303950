-- Partitioned tables: range and list partitions, foreign keys on the parent and on a partition.
CREATE TABLE station (
    station_id  serial PRIMARY KEY,
    name        text NOT NULL
);
CREATE TABLE reading (
    station_id  integer NOT NULL REFERENCES station,
    taken_on    date NOT NULL,
    celsius     numeric(4, 1) NOT NULL
) PARTITION BY RANGE (taken_on);
CREATE TABLE reading_2023 PARTITION OF reading FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE reading_2024 PARTITION OF reading FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE TABLE sale (
    sale_id     bigint NOT NULL,
    region      text NOT NULL,
    station_id  integer,
    amount      numeric(8, 2) NOT NULL,
    PRIMARY KEY (sale_id, region)
) PARTITION BY LIST (region);
CREATE TABLE sale_east PARTITION OF sale FOR VALUES IN ('east', 'north');
CREATE TABLE sale_west PARTITION OF sale FOR VALUES IN ('west');
ALTER TABLE sale_west ADD FOREIGN KEY (station_id) REFERENCES station;

CREATE TABLE bucket (
    bucket_id   integer NOT NULL,
    size        integer NOT NULL,
    PRIMARY KEY (bucket_id)
) PARTITION BY RANGE (bucket_id);
CREATE TABLE bucket_low PARTITION OF bucket FOR VALUES FROM (MINVALUE) TO (500);
CREATE TABLE bucket_high PARTITION OF bucket FOR VALUES FROM (500) TO (2000);
