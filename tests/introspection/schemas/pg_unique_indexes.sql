-- Unique indexes of every kind: plain, partial, on an expression, NULLS NOT DISTINCT, composite.
CREATE TABLE member (
    member_no   integer PRIMARY KEY,
    handle      varchar(24) NOT NULL,
    email       varchar(80) NOT NULL,
    badge_code  varchar(12),
    active      boolean NOT NULL DEFAULT true,
    nickname    text
);
CREATE UNIQUE INDEX member_handle_key ON member (handle);
CREATE UNIQUE INDEX member_email_lower_key ON member (lower(email));
CREATE UNIQUE INDEX member_active_badge ON member (badge_code) WHERE active;
CREATE UNIQUE INDEX member_nickname_key ON member (nickname) NULLS NOT DISTINCT;

CREATE TABLE shelf (
    shelf_id    serial PRIMARY KEY,
    room        smallint NOT NULL,
    position    smallint NOT NULL,
    label       text NOT NULL,
    UNIQUE (room, position)
);
CREATE UNIQUE INDEX shelf_label_room ON shelf (upper(label), room);
