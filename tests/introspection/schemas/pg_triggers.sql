-- A trigger that writes rows into another table: that table is left to the trigger.
CREATE TABLE article (
    article_id  serial PRIMARY KEY,
    headline    varchar(120) NOT NULL,
    body        text
);
CREATE TABLE article_search (
    article_id  integer PRIMARY KEY,
    headline    varchar(120) NOT NULL
);
CREATE TABLE article_log (
    log_id      serial PRIMARY KEY,
    article_id  integer NOT NULL,
    action      text NOT NULL
);
CREATE FUNCTION article_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (article_id, headline) VALUES (NEW.article_id, NEW.headline);
    INSERT INTO public.article_log (article_id, action) VALUES (NEW.article_id, 'created');
    RETURN NEW;
END $$;
CREATE TRIGGER article_copy AFTER INSERT ON article FOR EACH ROW EXECUTE FUNCTION article_copy();
CREATE TABLE article_stamp (
    article_id  integer PRIMARY KEY REFERENCES article,
    touched     timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.touched := now();
    RETURN NEW;
END $$;
CREATE TRIGGER article_stamp_touch BEFORE INSERT ON article_stamp FOR EACH ROW EXECUTE FUNCTION touch();
