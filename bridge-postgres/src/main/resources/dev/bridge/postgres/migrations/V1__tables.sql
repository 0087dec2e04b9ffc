-- Bridge schema, version 1: objects, their events, and the sequence that numbers changes.
-- ${schema} is replaced by the configured schema, already validated and quoted.

CREATE TABLE ${schema}.bridge_snaps (
    bucket  text        NOT NULL,
    id      text        NOT NULL,
    version bigint      NOT NULL CHECK (version >= 1),
    ts      timestamptz NOT NULL DEFAULT now(),
    val     jsonb       NOT NULL,
    PRIMARY KEY (bucket, id)
);

CREATE TABLE ${schema}.bridge_events (
    bucket  text        NOT NULL,
    id      text        NOT NULL,
    version bigint      NOT NULL CHECK (version >= 1),
    type    integer     NOT NULL,
    ts      timestamptz NOT NULL DEFAULT now(),
    val     jsonb       NOT NULL,
    PRIMARY KEY (bucket, id, version)
);

-- Every captured change takes the next number: it is the change's seq and its message id.
CREATE SEQUENCE ${schema}.bridge_change_seq AS bigint;
