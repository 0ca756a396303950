-- A domain over integer, and a partitioned table whose foreign key is declared on each
-- partition only (not on the parent): the parent table must still be loaded first.
CREATE DOMAIN rating AS integer CHECK (VALUE BETWEEN 1 AND 5);
CREATE TABLE shops (shop_id serial PRIMARY KEY, stars rating NOT NULL);
CREATE TABLE sales (
  sale_id serial,
  shop_id integer NOT NULL,
  sold_on date NOT NULL,
  PRIMARY KEY (sale_id, sold_on)
) PARTITION BY RANGE (sold_on);
CREATE TABLE sales_h1 PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE sales_h2 PARTITION OF sales FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
ALTER TABLE sales_h1 ADD FOREIGN KEY (shop_id) REFERENCES shops;
ALTER TABLE sales_h2 ADD FOREIGN KEY (shop_id) REFERENCES shops;
