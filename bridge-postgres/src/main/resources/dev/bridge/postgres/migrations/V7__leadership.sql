-- Bridge schema, version 7: several processes per consumer (docs/operations.md). A consumer's
-- changes are split by key into partitions; each partition has its own checkpoint per sink, and
-- one leader at a time, which holds a session advisory lock and a lease row whose epoch grows with
-- every change of leader. A checkpoint is saved only under the lease's current epoch, so a process
-- that lost its lease cannot move a checkpoint. Existing checkpoints become those of partition 0.
ALTER TABLE ${schema}.bridge_consumers ADD COLUMN part integer NOT NULL DEFAULT 0 CHECK (part >= 0);
ALTER TABLE ${schema}.bridge_consumers ADD COLUMN parts integer NOT NULL DEFAULT 1 CHECK (parts > part);
ALTER TABLE ${schema}.bridge_consumers DROP CONSTRAINT bridge_consumers_pkey;
ALTER TABLE ${schema}.bridge_consumers ADD PRIMARY KEY (name, sink, part);

CREATE TABLE ${schema}.bridge_leases (
    consumer   text        NOT NULL,
    part       integer     NOT NULL CHECK (part >= 0),
    parts      integer     NOT NULL CHECK (parts > part),
    epoch      bigint      NOT NULL,
    holder     text        NOT NULL,
    holder_pid integer     NOT NULL,
    since      timestamptz NOT NULL,
    renewed_at timestamptz NOT NULL,
    released   boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (consumer, part)
);

CREATE TABLE ${schema}.bridge_members (
    consumer  text        NOT NULL,
    member    text        NOT NULL,
    parts     integer     NOT NULL CHECK (parts > 0),
    pid       integer     NOT NULL,
    joined_at timestamptz NOT NULL DEFAULT now(),
    seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, member)
);

-- The roles already granted the daemon's rights get them on the new tables too.
DO $grant$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT DISTINCT pg_get_userbyid(a.grantee) AS role
             FROM pg_class t, aclexplode(t.relacl) a
             WHERE t.oid = '${schema}.bridge_consumers'::regclass AND a.privilege_type = 'UPDATE'
               AND a.grantee <> 0 AND a.grantee <> t.relowner
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ${schema}.bridge_leases, ${schema}.bridge_members TO %I', r.role);
    END LOOP;
END
$grant$;
