-- A cycle no load order meets as it is: both keys immediate and NOT NULL.
CREATE TABLE eggs (egg_id integer PRIMARY KEY, hen_id integer NOT NULL);
CREATE TABLE hens (hen_id integer PRIMARY KEY, egg_id integer NOT NULL REFERENCES eggs);
ALTER TABLE eggs ADD FOREIGN KEY (hen_id) REFERENCES hens;
