/**
 * The DDL of the current schema version. `{s}` stands for the quoted schema name. Every statement
 * is idempotent (IF NOT EXISTS / OR REPLACE / DROP IF EXISTS), so the whole text also upgrades any
 * older version, and `migrate` runs it under an advisory lock so that processes starting together
 * do not race on the catalog.
 *
 * Version 2: `claim` returns position-loss rows (`out_lost_from`), `trim_partition` (retention).
 * Version 3: `publish_dedupe` (publish-time dedupe records).
 * Version 4: `claim` takes a subscription's header condition (`p_filter`) and skips the rows it
 * rejects, returning their counts by type (`out_filtered`); `filter_match`.
 */
export const SCHEMA_VERSION = 4;

export const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS {s};

CREATE TABLE IF NOT EXISTS {s}.schema_version (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION {s}.now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS
$fn$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $fn$;

-- Names and keys compare byte-wise (COLLATE "C"): cheaper in every index than a locale's rules,
-- and topic and group names are ASCII anyway.
CREATE TABLE IF NOT EXISTS {s}.topics (
  topic text COLLATE "C" PRIMARY KEY,
  partitions integer NOT NULL CHECK (partitions > 0),
  created_at bigint NOT NULL DEFAULT {s}.now_ms()
);

-- One row per topic partition. next_offset is bumped under the row lock by every publish, which
-- serializes publishers of one partition so offsets become visible in commit order (no gaps for readers).
CREATE TABLE IF NOT EXISTS {s}.partitions (
  topic text COLLATE "C" NOT NULL REFERENCES {s}.topics (topic) ON DELETE CASCADE,
  partition integer NOT NULL,
  next_offset bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (topic, partition)
);

CREATE TABLE IF NOT EXISTS {s}.messages (
  topic text COLLATE "C" NOT NULL,
  partition integer NOT NULL,
  log_offset bigint NOT NULL,
  key text COLLATE "C",
  headers jsonb NOT NULL,
  payload bytea NOT NULL,
  published_at bigint NOT NULL,
  deliver_at bigint,
  PRIMARY KEY (topic, partition, log_offset)
);

-- Publish-time dedupe: the latest message of each key of a topic, and its burst's first publish.
CREATE TABLE IF NOT EXISTS {s}.publish_dedupe (
  topic text COLLATE "C" NOT NULL,
  dedupe_key text COLLATE "C" NOT NULL,
  partition integer NOT NULL,
  log_offset bigint NOT NULL,
  first_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  deliver_at bigint,
  PRIMARY KEY (topic, dedupe_key)
);

-- A group's read cursor per partition: every offset below it has been copied into claims (and
-- possibly acked, which deletes the claim) or removed by retention.
CREATE TABLE IF NOT EXISTS {s}.group_partitions (
  group_name text COLLATE "C" NOT NULL,
  topic text COLLATE "C" NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  PRIMARY KEY (group_name, topic, partition)
);

-- Messages a group has read but not acked. visible_at is the lease expiry while in flight, the
-- nack delay or deliverAt while waiting; delivery_count 0 means never handed out yet.
CREATE TABLE IF NOT EXISTS {s}.claims (
  group_name text COLLATE "C" NOT NULL,
  topic text COLLATE "C" NOT NULL,
  partition integer NOT NULL,
  log_offset bigint NOT NULL,
  key text COLLATE "C",
  visible_at bigint NOT NULL,
  delivery_count integer NOT NULL,
  -- The member holding the message in flight; NULL while it waits.
  owner text,
  PRIMARY KEY (group_name, topic, partition, log_offset)
);
CREATE INDEX IF NOT EXISTS claims_due ON {s}.claims (group_name, topic, visible_at);
CREATE INDEX IF NOT EXISTS claims_by_key ON {s}.claims (group_name, topic, partition, key, log_offset)
  WHERE key IS NOT NULL;

CREATE TABLE IF NOT EXISTS {s}.inbox (
  handler text COLLATE "C" NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  state text NOT NULL CHECK (state IN ('leased', 'processed')),
  expires_at bigint NOT NULL,
  PRIMARY KEY (handler, event_id)
);
CREATE INDEX IF NOT EXISTS inbox_expiry ON {s}.inbox (expires_at);

CREATE OR REPLACE FUNCTION {s}.ensure_topic(p_topic text, p_partitions integer)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  v_partitions integer;
BEGIN
  INSERT INTO {s}.topics (topic, partitions) VALUES (p_topic, p_partitions) ON CONFLICT (topic) DO NOTHING;
  SELECT t.partitions INTO v_partitions FROM {s}.topics t WHERE t.topic = p_topic;
  INSERT INTO {s}.partitions (topic, partition)
    SELECT p_topic, generate_series(0, v_partitions - 1) ON CONFLICT DO NOTHING;
  RETURN v_partitions;
END $fn$;

-- First offset of a partition published at or after p_time, or next_offset when there is none.
-- published_at never decreases along a partition (publish takes it under the partition lock), so a
-- binary search over the primary key replaces a time index every publish would have to maintain.
CREATE OR REPLACE FUNCTION {s}.offset_at_time(p_topic text, p_partition integer, p_time bigint)
RETURNS bigint LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  v_low bigint;
  v_high bigint;
  v_mid bigint;
  v_at bigint;
BEGIN
  SELECT min(m.log_offset) INTO v_low FROM {s}.messages m WHERE m.topic = p_topic AND m.partition = p_partition;
  SELECT p.next_offset INTO v_high FROM {s}.partitions p WHERE p.topic = p_topic AND p.partition = p_partition;
  IF v_low IS NULL THEN
    RETURN coalesce(v_high, 0);
  END IF;
  WHILE v_low < v_high LOOP
    v_mid := v_low + (v_high - v_low) / 2;
    SELECT m.published_at INTO v_at FROM {s}.messages m
      WHERE m.topic = p_topic AND m.partition = p_partition AND m.log_offset >= v_mid
      ORDER BY m.log_offset LIMIT 1;
    IF v_at IS NULL OR v_at >= p_time THEN
      v_high := v_mid;
    ELSE
      v_low := v_mid + 1;
    END IF;
  END LOOP;
  RETURN v_low;
END $fn$;

-- Appends a batch. p_seqs numbers each message within its partition (0, 1, ...) in input order; the
-- function returns each partition's base offset and the caller adds the two.
CREATE OR REPLACE FUNCTION {s}.publish(
  p_topic text, p_partitions integer[], p_seqs integer[], p_keys text[], p_headers text[], p_payloads bytea[],
  p_deliver_at bigint[])
RETURNS TABLE (out_partition integer, out_base bigint) LANGUAGE plpgsql AS $fn$
DECLARE
  v_bases bigint[];
  v_part integer;
  v_count integer;
  v_base bigint;
  v_now bigint;
BEGIN
  -- The row lock on each partition serializes its publishers until commit, so offsets become
  -- visible in order. Ascending partition order: two multi-partition publishes never deadlock.
  FOR v_part, v_count IN
    SELECT u.part, count(*) FROM unnest(p_partitions) AS u (part) GROUP BY u.part ORDER BY u.part
  LOOP
    UPDATE {s}.partitions p SET next_offset = p.next_offset + v_count
    WHERE p.topic = p_topic AND p.partition = v_part
    RETURNING p.next_offset - v_count INTO v_base;
    IF v_base IS NULL THEN
      RAISE EXCEPTION 'partition % of topic % does not exist', v_part, p_topic USING ERRCODE = 'P0002';
    END IF;
    v_bases[v_part] := v_base;
    out_partition := v_part;
    out_base := v_base;
    RETURN NEXT;
  END LOOP;
  -- Taken under the locks, so published_at never decreases along a partition's offsets.
  v_now := {s}.now_ms();
  INSERT INTO {s}.messages (topic, partition, log_offset, key, headers, payload, published_at, deliver_at)
  SELECT p_topic, u.part, v_bases[u.part] + u.seq, u.key, u.headers::jsonb, u.payload, v_now, u.deliver_at
  FROM unnest(p_partitions, p_seqs, p_keys, p_headers, p_payloads, p_deliver_at)
    AS u (part, seq, key, headers, payload, deliver_at);
  -- Delivered at commit, so a woken subscriber always finds the rows.
  PERFORM pg_notify({channel}, p_topic);
END $fn$;

-- Version 2 added out_lost_from, version 4 p_filter and out_filtered; a result type cannot be
-- changed in place, and a new parameter would leave the old function beside the new one.
DROP FUNCTION IF EXISTS {s}.claim(text, text, text, integer, bigint, integer[]);

-- A subscription's header condition (see HeaderCondition in @eddy/core): true, false, {"all": [...]},
-- {"any": [...]}, {"not": ...} or a leaf {"header", "op", "value", "whenEncoded"} comparing one
-- stored header value. The condition is data, never SQL text, so a user's filter cannot inject any.
-- A message that is not a binary-mode CloudEvent (no ce-type or ce-specversion) always passes.
-- Plain comparisons (=, starts_with, right) rather than LIKE, whose wildcards a value may hold.
CREATE OR REPLACE FUNCTION {s}.filter_match(p_headers jsonb, p_node jsonb, p_top boolean DEFAULT true)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  v_value text;
  v_list jsonb;
BEGIN
  IF p_node IS NULL THEN
    RETURN true;
  END IF;
  IF p_top AND NOT (p_headers ? 'ce-type' AND p_headers ? 'ce-specversion') THEN
    RETURN true;
  END IF;
  IF jsonb_typeof(p_node) = 'boolean' THEN
    RETURN p_node::boolean;
  END IF;
  IF p_node ? 'all' THEN
    v_list := p_node -> 'all';
    FOR i IN 0 .. jsonb_array_length(v_list) - 1 LOOP
      IF NOT {s}.filter_match(p_headers, v_list -> i, false) THEN
        RETURN false;
      END IF;
    END LOOP;
    RETURN true;
  END IF;
  IF p_node ? 'any' THEN
    v_list := p_node -> 'any';
    FOR i IN 0 .. jsonb_array_length(v_list) - 1 LOOP
      IF {s}.filter_match(p_headers, v_list -> i, false) THEN
        RETURN true;
      END IF;
    END LOOP;
    RETURN false;
  END IF;
  IF p_node ? 'not' THEN
    RETURN NOT {s}.filter_match(p_headers, p_node -> 'not', false);
  END IF;
  v_value := p_headers ->> (p_node ->> 'header');
  IF v_value IS NULL THEN
    RETURN false;
  END IF;
  -- Possibly percent-encoded: the raw value cannot be compared, the subscriber decodes and decides.
  IF strpos(v_value, '%') > 0 THEN
    RETURN (p_node -> 'whenEncoded')::boolean;
  END IF;
  CASE p_node ->> 'op'
    WHEN 'exact' THEN RETURN v_value = (p_node ->> 'value');
    WHEN 'prefix' THEN RETURN starts_with(v_value, p_node ->> 'value');
    WHEN 'suffix' THEN RETURN right(v_value, length(p_node ->> 'value')) = (p_node ->> 'value');
  END CASE;
END $fn$;

-- A row with out_lost_from set is not a message: offsets out_lost_from .. out_offset - 1 of that
-- partition were removed by retention before the group read them, and its cursor moved past them.
-- A row with out_filtered set is not a message either: {type: count} of the rows up to out_offset
-- that p_filter rejected; the cursor moved past them, and they are never claimed or delivered.
CREATE OR REPLACE FUNCTION {s}.claim(
  p_group text, p_topic text, p_owner text, p_limit integer, p_ack_timeout_ms bigint, p_partitions integer[],
  p_filter jsonb DEFAULT NULL)
RETURNS TABLE (out_partition integer, out_offset bigint, out_key text, out_headers jsonb, out_payload bytea,
               out_published_at bigint, out_delivery_count integer, out_lost_from bigint, out_filtered jsonb)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint := {s}.now_ms();
  v_budget integer := p_limit;
  v_count integer;
  v_blocked integer;
  v_gp record;
  v_next bigint;
  v_after bigint;
  v_read integer;
  v_scanned integer;
BEGIN
  -- Claims and acks may be forgotten by a database crash: that only means redelivery, which
  -- at-least-once allows, so they skip the WAL flush wait. Publishes keep it.
  PERFORM set_config('synchronous_commit', 'off', true);
  -- p_partitions (NULL: all) lets one member run several fetches at once on disjoint partitions.
  -- 1. Read fresh messages from every partition no other member is reading right now. A message
  --    goes out at once unless it is delayed, or an earlier message of its key is unsettled and not
  --    in flight with this same member (which serializes a key's messages locally); the others wait
  --    in claims. Messages p_filter rejects are skipped: the cursor moves past them unclaimed.
  FOR v_gp IN
    SELECT g.partition, g.next_offset FROM {s}.group_partitions g
    WHERE g.group_name = p_group AND g.topic = p_topic AND (p_partitions IS NULL OR g.partition = ANY (p_partitions))
    ORDER BY random()
    FOR UPDATE SKIP LOCKED
  LOOP
    EXIT WHEN v_budget <= 0;
    -- Bound how far keys blocked behind other members let the cursor run ahead of the group.
    SELECT count(*) INTO v_blocked FROM (
      SELECT 1 FROM {s}.claims c
      WHERE c.group_name = p_group AND c.topic = p_topic AND c.partition = v_gp.partition
        AND c.delivery_count = 0 AND c.visible_at <= v_now
      LIMIT 256) x;
    CONTINUE WHEN v_blocked >= 256;
    -- Without a filter, one read of the budget (the statement stays as small as it can be, so a
    -- claim plans and runs no more than it needs).
    IF p_filter IS NULL THEN
      RETURN QUERY
      WITH fresh AS (
        SELECT m.log_offset, m.key, m.headers, m.payload, m.published_at, m.deliver_at,
          coalesce(m.deliver_at, 0) <= v_now AND (m.key IS NULL OR (
            bool_and(coalesce(m.deliver_at, 0) <= v_now) OVER (PARTITION BY m.key ORDER BY m.log_offset)
            AND NOT EXISTS (SELECT 1 FROM {s}.claims e
              WHERE e.group_name = p_group AND e.topic = p_topic AND e.partition = v_gp.partition AND e.key = m.key
                AND (e.owner IS DISTINCT FROM p_owner OR e.visible_at <= v_now))
          )) AS ready
        FROM (SELECT * FROM {s}.messages m0
              WHERE m0.topic = p_topic AND m0.partition = v_gp.partition AND m0.log_offset >= v_gp.next_offset
              ORDER BY m0.log_offset LIMIT v_budget) m
      ), stored AS (
        INSERT INTO {s}.claims (group_name, topic, partition, log_offset, key, visible_at, delivery_count, owner)
        SELECT p_group, p_topic, v_gp.partition, f.log_offset, f.key,
          CASE WHEN f.ready THEN v_now + p_ack_timeout_ms ELSE coalesce(f.deliver_at, 0) END,
          CASE WHEN f.ready THEN 1 ELSE 0 END,
          CASE WHEN f.ready THEN p_owner END
        FROM fresh f
        RETURNING 1
      ), kept AS (
        -- The first offset retention left at or past the cursor. The log is a gap-free range in any
        -- one snapshot, so a first fresh row beyond the cursor means the rows between were trimmed; so
        -- does an empty read of a partition whose next_offset is past the cursor (looked up only then).
        SELECT coalesce(min(f.log_offset), (SELECT p.next_offset FROM {s}.partitions p
          WHERE p.topic = p_topic AND p.partition = v_gp.partition)) AS first
        FROM fresh f
      ), moved AS (
        UPDATE {s}.group_partitions g SET next_offset = x.next
        FROM (SELECT coalesce((SELECT max(f.log_offset) + 1 FROM fresh f), k.first) AS next FROM kept k) x
        WHERE g.group_name = p_group AND g.topic = p_topic AND g.partition = v_gp.partition
          AND x.next > v_gp.next_offset
        RETURNING 1
      )
      SELECT r.* FROM (
        SELECT v_gp.partition, k.first, NULL::text, NULL::jsonb, NULL::bytea, NULL::bigint, 0, v_gp.next_offset,
          NULL::jsonb
        FROM kept k WHERE k.first > v_gp.next_offset
        UNION ALL
        SELECT v_gp.partition, f.log_offset, f.key, f.headers, f.payload, f.published_at, 1, NULL::bigint, NULL::jsonb
        FROM fresh f WHERE f.ready
      ) r ORDER BY 2, 7;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      v_budget := v_budget - v_count;
      CONTINUE;
    END IF;
    v_next := v_gp.next_offset;
    v_scanned := 0;
    LOOP
      -- With a filter, a read may pass over many rejected rows for each kept one: it reads at least
      -- 128 rows, keeps those up to the budget-th accepted one, and goes on while it read full.
      v_read := greatest(v_budget, 128);
      RETURN QUERY
      WITH scanned AS (
        SELECT m0.*, count(*) FILTER (WHERE m0.wanted) OVER (ORDER BY m0.log_offset) - m0.wanted::int AS before
        FROM (SELECT m1.*, {s}.filter_match(m1.headers, p_filter) AS wanted
              FROM {s}.messages m1
              WHERE m1.topic = p_topic AND m1.partition = v_gp.partition AND m1.log_offset >= v_next
              ORDER BY m1.log_offset LIMIT v_read) m0
      ), taken AS (
        SELECT * FROM scanned s WHERE s.before < v_budget
      ), fresh AS (
        SELECT m.log_offset, m.key, m.headers, m.payload, m.published_at, m.deliver_at,
          coalesce(m.deliver_at, 0) <= v_now AND (m.key IS NULL OR (
            bool_and(coalesce(m.deliver_at, 0) <= v_now) OVER (PARTITION BY m.key ORDER BY m.log_offset)
            AND NOT EXISTS (SELECT 1 FROM {s}.claims e
              WHERE e.group_name = p_group AND e.topic = p_topic AND e.partition = v_gp.partition AND e.key = m.key
                AND (e.owner IS DISTINCT FROM p_owner OR e.visible_at <= v_now))
          )) AS ready
        FROM taken m WHERE m.wanted
      ), stored AS (
        INSERT INTO {s}.claims (group_name, topic, partition, log_offset, key, visible_at, delivery_count, owner)
        SELECT p_group, p_topic, v_gp.partition, f.log_offset, f.key,
          CASE WHEN f.ready THEN v_now + p_ack_timeout_ms ELSE coalesce(f.deliver_at, 0) END,
          CASE WHEN f.ready THEN 1 ELSE 0 END,
          CASE WHEN f.ready THEN p_owner END
        FROM fresh f
        RETURNING 1
      ), kept AS (
        -- The first offset retention left at or past the cursor. The log is a gap-free range in any
        -- one snapshot, so a first row read beyond the cursor means the rows between were trimmed; so
        -- does an empty read of a partition whose next_offset is past the cursor (looked up only then).
        SELECT coalesce(min(t.log_offset), (SELECT p.next_offset FROM {s}.partitions p
          WHERE p.topic = p_topic AND p.partition = v_gp.partition)) AS first
        FROM taken t
      ), moved AS (
        UPDATE {s}.group_partitions g SET next_offset = x.next
        FROM (SELECT coalesce((SELECT max(t.log_offset) + 1 FROM taken t), k.first) AS next FROM kept k) x
        WHERE g.group_name = p_group AND g.topic = p_topic AND g.partition = v_gp.partition
          AND x.next > v_next
        RETURNING 1
      )
      SELECT r.* FROM (
        SELECT v_gp.partition, k.first, NULL::text, NULL::jsonb, NULL::bytea, NULL::bigint, 0, v_next, NULL::jsonb
        FROM kept k WHERE k.first > v_next
        UNION ALL
        SELECT v_gp.partition, f.log_offset, f.key, f.headers, f.payload, f.published_at, 1, NULL::bigint,
          NULL::jsonb
        FROM fresh f WHERE f.ready
        UNION ALL
        SELECT v_gp.partition, max(d.last), NULL::text, NULL::jsonb, NULL::bytea, NULL::bigint, 0, NULL::bigint,
          jsonb_object_agg(d.type, d.n)
        FROM (SELECT t.headers ->> 'ce-type' AS type, count(*) AS n, max(t.log_offset) AS last
              FROM taken t WHERE NOT t.wanted GROUP BY 1) d
        HAVING count(*) > 0
      ) r ORDER BY 2, 7;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      v_budget := v_budget - v_count;
      EXIT WHEN v_budget <= 0;
      SELECT g.next_offset INTO v_after FROM {s}.group_partitions g
      WHERE g.group_name = p_group AND g.topic = p_topic AND g.partition = v_gp.partition;
      v_scanned := v_scanned + (v_after - v_next)::integer;
      -- A short read reached the end of the log; the scan bound keeps the partition's lock short.
      EXIT WHEN v_after - v_next < v_read OR v_scanned >= 4096;
      v_next := v_after;
    END LOOP;
  END LOOP;

  -- 2. Hand out waiting claims that became due: expired leases, nack delays, deliverAt, and keys
  --    whose earlier messages were acked. Same key rule as above.
  IF v_budget > 0 THEN
    RETURN QUERY
    WITH handed AS (
      UPDATE {s}.claims c
      SET visible_at = v_now + p_ack_timeout_ms, delivery_count = c.delivery_count + 1, owner = p_owner
      WHERE c.ctid = ANY (ARRAY(
        SELECT d.ctid FROM {s}.claims d
        WHERE d.group_name = p_group AND d.topic = p_topic AND d.visible_at <= v_now
          AND (p_partitions IS NULL OR d.partition = ANY (p_partitions))
          AND (d.key IS NULL OR NOT EXISTS (SELECT 1 FROM {s}.claims e
            WHERE e.group_name = p_group AND e.topic = p_topic AND e.partition = d.partition
              AND e.key = d.key AND e.log_offset < d.log_offset
              AND (e.owner IS DISTINCT FROM p_owner OR e.visible_at <= v_now)))
        ORDER BY d.visible_at, d.partition, d.log_offset
        LIMIT v_budget
        FOR UPDATE SKIP LOCKED))
      RETURNING c.partition, c.log_offset, c.delivery_count
    )
    SELECT h.partition, h.log_offset, m.key, m.headers, m.payload, m.published_at, h.delivery_count, NULL::bigint,
      NULL::jsonb
    FROM handed h JOIN {s}.messages m
      ON m.topic = p_topic AND m.partition = h.partition AND m.log_offset = h.log_offset
    ORDER BY h.partition, h.log_offset;
  END IF;
END $fn$;

-- Applies a member's settlements in one round trip: acks delete; nacks make the delivery visible
-- again after a delay (only the delivery they belong to, so a late nack cannot disturb a redelivery
-- in flight elsewhere); releases return messages the member claimed but never handed to its handler.
CREATE OR REPLACE FUNCTION {s}.settle(
  p_group text, p_topic text, p_owner text, p_ack_partitions integer[], p_ack_offsets bigint[],
  p_nack_partitions integer[], p_nack_offsets bigint[], p_nack_counts integer[], p_nack_delays bigint[],
  p_release_partitions integer[], p_release_offsets bigint[])
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint := {s}.now_ms();
  v_part integer;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  -- One primary-key probe per offset (= ANY per partition) whatever the statistics say: the claims
  -- table churns too fast for the planner's row estimates to be trusted with a join.
  FOR v_part IN SELECT DISTINCT a.part FROM unnest(p_ack_partitions) AS a (part) LOOP
    DELETE FROM {s}.claims c
    WHERE c.group_name = p_group AND c.topic = p_topic AND c.partition = v_part
      AND c.log_offset = ANY (ARRAY(
        SELECT a.off FROM unnest(p_ack_partitions, p_ack_offsets) AS a (part, off) WHERE a.part = v_part));
  END LOOP;
  FOR i IN 1 .. coalesce(cardinality(p_nack_offsets), 0) LOOP
    UPDATE {s}.claims c SET visible_at = v_now + p_nack_delays[i], owner = NULL
    WHERE c.group_name = p_group AND c.topic = p_topic AND c.partition = p_nack_partitions[i]
      AND c.log_offset = p_nack_offsets[i] AND c.delivery_count = p_nack_counts[i];
  END LOOP;
  FOR v_part IN SELECT DISTINCT r.part FROM unnest(p_release_partitions) AS r (part) LOOP
    UPDATE {s}.claims c SET visible_at = v_now, owner = NULL, delivery_count = c.delivery_count - 1
    WHERE c.group_name = p_group AND c.topic = p_topic AND c.partition = v_part AND c.owner = p_owner
      AND c.log_offset = ANY (ARRAY(
        SELECT r.off FROM unnest(p_release_partitions, p_release_offsets) AS r (part, off) WHERE r.part = v_part));
  END LOOP;
END $fn$;
-- One bounded retention step on a partition: removes at most p_limit of the oldest messages beyond
-- the limits (0 = no limit), and the claims of any group on them, in one short transaction. Returns
-- how many messages went (the caller repeats while it gets p_limit), and per group the offset runs
-- of removed claims no live lease covered: read into claims but not handled, so lost to that group.
CREATE OR REPLACE FUNCTION {s}.trim_partition(
  p_topic text, p_partition integer, p_max_age_ms bigint, p_max_messages bigint, p_limit integer,
  OUT out_deleted integer, OUT out_lost_groups text[], OUT out_lost_from bigint[], OUT out_lost_to bigint[])
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint := {s}.now_ms();
  v_first bigint;
  v_next bigint;
  v_cut bigint;
  v_to bigint;
BEGIN
  -- Waits for claims reading this partition to commit (their new claims become visible to the
  -- deletes below) and makes later ones skip it until this step commits, so no claim can be written
  -- for a message this step removes.
  PERFORM 1 FROM {s}.group_partitions g WHERE g.topic = p_topic AND g.partition = p_partition
    ORDER BY g.group_name FOR UPDATE;
  SELECT min(m.log_offset) INTO v_first FROM {s}.messages m WHERE m.topic = p_topic AND m.partition = p_partition;
  SELECT p.next_offset INTO v_next FROM {s}.partitions p WHERE p.topic = p_topic AND p.partition = p_partition;
  v_first := coalesce(v_first, v_next, 0);
  v_cut := v_first;
  IF p_max_messages > 0 THEN
    v_cut := greatest(v_cut, v_next - p_max_messages);
  END IF;
  IF p_max_age_ms > 0 THEN
    v_cut := greatest(v_cut, {s}.offset_at_time(p_topic, p_partition, v_now - p_max_age_ms));
  END IF;
  v_to := least(v_cut, v_first + p_limit);
  -- Also when nothing is due: clears claims a group created right before the previous step.
  WITH gone AS (
    DELETE FROM {s}.claims c
    USING (SELECT DISTINCT g.group_name FROM {s}.group_partitions g
           WHERE g.topic = p_topic AND g.partition = p_partition) gp
    WHERE c.group_name = gp.group_name AND c.topic = p_topic AND c.partition = p_partition
      AND c.log_offset < v_to
    RETURNING c.group_name, c.log_offset, c.owner, c.visible_at
  ), unhandled AS (
    SELECT w.group_name, w.log_offset,
      w.log_offset - row_number() OVER (PARTITION BY w.group_name ORDER BY w.log_offset) AS run
    FROM gone w WHERE w.owner IS NULL OR w.visible_at <= v_now
  ), runs AS (
    SELECT u.group_name, min(u.log_offset) AS first, max(u.log_offset) AS last
    FROM unhandled u GROUP BY u.group_name, u.run
  )
  SELECT array_agg(r.group_name ORDER BY r.group_name, r.first), array_agg(r.first ORDER BY r.group_name, r.first),
    array_agg(r.last ORDER BY r.group_name, r.first)
  INTO out_lost_groups, out_lost_from, out_lost_to FROM runs r;
  DELETE FROM {s}.messages m WHERE m.topic = p_topic AND m.partition = p_partition AND m.log_offset < v_to;
  GET DIAGNOSTICS out_deleted = ROW_COUNT;
END $fn$;
`;
