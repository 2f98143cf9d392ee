-- H2: the numbers people are shown and type back (deploy #12, incident #3, risk_model #2) come from identity
-- columns, whose sequences H2 caches 32 values ahead. An H2 process that stops without closing the database
-- (kill -9, a crash, a pod killed) restarts the sequence past the whole cache: deploy #3 was followed by deploy #33,
-- which reads as 29 lost deploys, and "/deploy resolve 2" after incident #1 and #33 found no incident #2. Without a
-- cache, each number taken is stored with the transaction that took it, so the next one after a restart is the next
-- one. The cost (a write per deploy, incident or model) is nothing next to the rows they come with. The internal ids
-- no one sees keep H2's cache; PostgreSQL is left as it is (its sequences cache no values in a session by default,
-- though after a crash of the server itself it, too, may skip some).
ALTER TABLE deploy ALTER COLUMN id SET NO CACHE;
ALTER TABLE incident ALTER COLUMN id SET NO CACHE;
ALTER TABLE risk_model ALTER COLUMN id SET NO CACHE;
