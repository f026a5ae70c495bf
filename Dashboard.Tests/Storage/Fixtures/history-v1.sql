-- How history-v1.db was made: the v1 schema exactly as shipped (SqliteSchema step 1) and rows as the v1 writer wrote them.
PRAGMA auto_vacuum = INCREMENTAL;
BEGIN;

        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            type INTEGER NOT NULL,
            backend TEXT NOT NULL,
            run_id TEXT,
            data TEXT NOT NULL) STRICT;
        CREATE INDEX events_at ON events(at);
        CREATE INDEX events_run ON events(run_id) WHERE run_id IS NOT NULL;
        CREATE TABLE gaps (first INTEGER PRIMARY KEY, last INTEGER NOT NULL) STRICT;
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            backend TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            prompt TEXT NOT NULL,
            output TEXT NOT NULL,
            summary TEXT NOT NULL,
            detail TEXT NOT NULL) STRICT;
        CREATE INDEX runs_started ON runs(started_at DESC, id DESC);
        CREATE TABLE graphs (backend TEXT PRIMARY KEY, stats TEXT NOT NULL, at INTEGER NOT NULL) STRICT;
        CREATE TABLE graph_points (backend TEXT NOT NULL, at INTEGER NOT NULL, nodes INTEGER NOT NULL) STRICT;
        CREATE INDEX graph_points_at ON graph_points(backend, at);
        
PRAGMA user_version = 1;
INSERT INTO meta VALUES ('instance_id','0123456789abcdef'),('sequence_reserved','1048576');
INSERT INTO events VALUES (1000001, 639000000000000000, 1, 'alpha', 'run-v1fixture01', 'The hippopotamus ');
INSERT INTO events VALUES (1000002, 639000000000000010, 1, 'alpha', 'run-v1fixture01', 'swims.');
INSERT INTO runs VALUES ('run-v1fixture01','alpha','completed',639000000000000000,639000000426530000,'Write about a hippo','The hippopotamus swims.','{"backend":"alpha","parentRunId":null,"options":{"temperature":0.5},"upstreamId":"up-1","status":"completed","stage":"generating","progress":1,"startedAt":"2026-11-20T10:00:00.1234567+00:00","endedAt":"2026-11-20T10:00:42.7654321+00:00","usage":{"inputTokens":3,"outputTokens":5,"totalTokens":8},"metadata":{"language":"python"},"error":null,"version":1000007,"textTruncated":false}','{"timeline":[{"stage":"generating","status":"running","message":"halfway","progress":0.5,"at":"2026-11-20T10:00:01.5+00:00"},{"stage":"generating","status":"completed","message":"done","progress":1,"at":"2026-11-20T10:00:42.7+00:00"}],"timelineTruncated":false,"thinking":"","thinkingTruncated":false,"toolCalls":[]}');
INSERT INTO graphs VALUES ('dreamer','{"nodes":42,"edges":7,"avgEntanglement":null,"tiers":{"core":2},"types":{"idea":40}}',639000000000000000);
INSERT INTO graph_points VALUES ('dreamer',638999999990000000,40),('dreamer',639000000000000000,42);
COMMIT;
