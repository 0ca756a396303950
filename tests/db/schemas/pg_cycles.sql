-- Tables that refer to each other. teams <-> players through deferrable keys (the captain is
-- NOT NULL both ways); departments <-> employees through an immediate key whose column may be
-- null (a department's head).
CREATE TABLE teams (team_id integer PRIMARY KEY, captain_id integer NOT NULL);
CREATE TABLE players (
  player_id integer PRIMARY KEY,
  team_id integer NOT NULL REFERENCES teams DEFERRABLE INITIALLY IMMEDIATE,
  name text
);
ALTER TABLE teams ADD FOREIGN KEY (captain_id) REFERENCES players DEFERRABLE;
CREATE TABLE departments (dept_id integer PRIMARY KEY, head_id integer, name text);
CREATE TABLE employees (emp_id integer PRIMARY KEY, dept_id integer NOT NULL REFERENCES departments, name text);
ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees;
