"""The schema, as numbered migrations applied in order (PRAGMA user_version)."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: conversations, messages, attachments, API state, uploaded-file ledger
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        profile TEXT NOT NULL,
        mode TEXT NOT NULL,
        model TEXT NOT NULL,
        detail TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        text TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN
            ('pending', 'streaming', 'complete', 'failed', 'cancelled', 'interrupted')),
        error TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        source TEXT NOT NULL,
        original_name TEXT NOT NULL,
        prepared_json TEXT NOT NULL
    );
    CREATE INDEX attachments_by_hash ON attachments(sha256);
    CREATE TABLE api_state (
        conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
        assistant_id TEXT,
        thread_id TEXT,
        response_id TEXT,
        responses_stateless INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE uploads (
        id INTEGER PRIMARY KEY,
        profile TEXT NOT NULL,
        file_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        filename TEXT NOT NULL,
        conversation_id INTEGER,
        created_at REAL NOT NULL,
        deleted_at REAL,
        UNIQUE (profile, file_id)
    );
    """,
    # 2: the ledger's key is the hash of the bytes uploaded (the upload key), not of an original
    """
    ALTER TABLE uploads RENAME COLUMN sha256 TO upload_key;
    CREATE INDEX uploads_by_key ON uploads(profile, upload_key);
    """,
    # 3: a message's images found through an index, so one damaged page of the attachments table
    # costs only the images stored on it (and deleting a message no longer scans the table)
    """
    CREATE INDEX attachments_by_message ON attachments(message_id, position);
    """,
    # 4: batch jobs (one question over many images), their images and their provider batches
    """
    CREATE TABLE batch_jobs (
        id INTEGER PRIMARY KEY,
        profile TEXT NOT NULL,
        base_url TEXT NOT NULL,
        mode TEXT NOT NULL,
        model TEXT NOT NULL,
        detail TEXT NOT NULL,
        engine TEXT NOT NULL,
        prompt TEXT NOT NULL,
        instructions TEXT,
        schema_json TEXT,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE batch_parts (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        path TEXT NOT NULL,
        lines INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        input_file_id TEXT,
        batch_id TEXT,
        status TEXT,
        output_file_id TEXT,
        error_file_id TEXT,
        total INTEGER NOT NULL DEFAULT 0,
        completed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        collected INTEGER NOT NULL DEFAULT 0,
        UNIQUE (job_id, number)
    );
    CREATE TABLE batch_items (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL,
        duplicate_of INTEGER,
        part_id INTEGER REFERENCES batch_parts(id) ON DELETE SET NULL,
        sent_sha256 TEXT,
        sent_bytes INTEGER,
        width INTEGER,
        height INTEGER,
        tokens INTEGER,
        answer TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        error TEXT NOT NULL DEFAULT '',
        updated_at REAL NOT NULL
    );
    CREATE INDEX batch_items_by_job ON batch_items(job_id, status);
    CREATE INDEX batch_items_by_part ON batch_items(part_id);
    """,
    # 5: a conversation's own instructions (system prompt); NULL: the default in Settings
    """
    ALTER TABLE conversations ADD COLUMN instructions TEXT;
    """,
    # 6: what a question's images were made from (the original bytes, or a path or URL to read
    # again) and their crops, saved the moment Send is pressed, before any preparing
    """
    CREATE TABLE question_sources (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        label TEXT NOT NULL,
        data BLOB,
        reference TEXT,
        crop TEXT,
        CHECK ((data IS NULL) <> (reference IS NULL))
    );
    CREATE INDEX question_sources_by_message ON question_sources(message_id, position);
    """,
    # 7: versions of an exchange (Regenerate, Edit & resend): `place` is the question id of the
    # place's first version (NULL: the only one), `shown` marks the version the conversation
    # continues from; `deleted`: deleted in the window, kept while its Undo is offered
    """
    ALTER TABLE messages ADD COLUMN place INTEGER;
    ALTER TABLE messages ADD COLUMN shown INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
    """,
    # 8: the marks drawn on a question's image (JSON, visiondesk.marks): redactions are already
    # burnt into its saved bytes, so these are the drawings, reapplied when it is prepared again
    """
    ALTER TABLE question_sources ADD COLUMN marks TEXT;
    """,
    # 9: compares: each column is a conversation of its own; `compare_of` is the id of the
    # compare's first column (its own, on that one), `compare_column` the column's place; and
    # the answers a person picked in blind mode, by what each column was (model · mode · detail)
    """
    ALTER TABLE conversations ADD COLUMN compare_of INTEGER;
    ALTER TABLE conversations ADD COLUMN compare_column INTEGER;
    CREATE INDEX conversations_by_compare ON conversations(compare_of, compare_column);
    CREATE TABLE compare_picks (
        id INTEGER PRIMARY KEY,
        compare_of INTEGER,
        winner TEXT NOT NULL,
        loser TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    """,
    # 10: batch compare: a job's columns (JSON list of {model, mode, detail}; NULL: one column,
    # the job's own model, mode and detail), and the column each item and each Batch API input
    # file asks (NULL: that one)
    """
    ALTER TABLE batch_jobs ADD COLUMN columns_json TEXT;
    ALTER TABLE batch_items ADD COLUMN column_index INTEGER;
    ALTER TABLE batch_parts ADD COLUMN column_index INTEGER;
    """,
    # 11: a question's image that is a PDF's page: `reference` is the PDF, `page` its index
    """
    ALTER TABLE question_sources ADD COLUMN page INTEGER;
    """,
    # 12: a compare judged blind (on its first column's row): reopened blind, listed so
    """
    ALTER TABLE conversations ADD COLUMN compare_blind INTEGER NOT NULL DEFAULT 0;
    """,
]


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the database to the newest schema; returns the version it is at."""
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
        version = number
    return version
