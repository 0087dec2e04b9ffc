-- Bridge schema, version 6: one position per sink (docs/delivery.md). Each sink of a consumer keeps
-- its own checkpoint, so a slow or unreachable sink holds back no other. A row whose sink is '' is a
-- consumer's single checkpoint from before; the consumer's sinks start from it when they first run,
-- and it is removed then. Stop the bridges of older versions before this runs: their checkpoint
-- upsert needs the old key.
ALTER TABLE ${schema}.bridge_consumers ADD COLUMN sink text NOT NULL DEFAULT '';
ALTER TABLE ${schema}.bridge_consumers DROP CONSTRAINT bridge_consumers_pkey;
ALTER TABLE ${schema}.bridge_consumers ADD PRIMARY KEY (name, sink);
