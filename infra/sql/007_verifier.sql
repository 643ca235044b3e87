-- 007_verifier.sql -- the verifier service's schema: verifier accounts and
-- sessions, what it learned from events (registrations, corrections), the
-- receipts Verifikator 1 received, batches, unit activation, the outbox,
-- and an audit log the service can only append to and read.
-- Role pupns_verifier and schema verifier come from 001_roles_schemas.sql.
SET ROLE pupns_verifier;

-- Verifier accounts (pupns-ctl user add|disable|list). Passwords as argon2id
-- strings (libcommon/password_hash.h), never in plain text.
CREATE TABLE verifier.account (
    id             bigserial PRIMARY KEY,
    username       text COLLATE "C" NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    nama           text NOT NULL CHECK (length(nama) BETWEEN 1 AND 200),
    role           text NOT NULL CHECK (role IN ('verifikator1', 'verifikator2', 'admin')),
    bkd            text,                        -- verifikator2: the BKD's name (display only)
    password_hash  text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled_at    timestamptz
);

-- Scope: a verifikator1 works for one or more unit kerja; a verifikator2
-- for one BKD, i.e. a set of instansi. Admin has no scope rows (sees all).
CREATE TABLE verifier.account_unit (
    account_id       bigint NOT NULL REFERENCES verifier.account (id),
    unit_kerja_kode  text COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, unit_kerja_kode)
);
CREATE TABLE verifier.account_instansi (
    account_id     bigint NOT NULL REFERENCES verifier.account (id),
    instansi_kode  text COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, instansi_kode)
);

-- Bearer sessions: only the SHA-256 of the token (the gateway makes the
-- token and never sends it over Kafka).
CREATE TABLE verifier.session (
    token_hash  text COLLATE "C" PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    account_id  bigint NOT NULL REFERENCES verifier.account (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

-- Failed logins per username: growing lock-outs as for PNS.
CREATE TABLE verifier.login_throttle (
    username      text COLLATE "C" PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    window_start  timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz
);

-- Events consumed, by envelope id: a re-delivered event changes nothing.
CREATE TABLE verifier.inbox (
    event_id     text COLLATE "C" PRIMARY KEY,
    type         text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Units the verifier knows of (from registrations and the identity service).
-- activated_at: the unit may go on to the data-update stage (pemutakhiran).
CREATE TABLE verifier.unit (
    kode           text COLLATE "C" PRIMARY KEY,
    nama           text NOT NULL,
    instansi_kode  text COLLATE "C" NOT NULL,
    instansi_nama  text NOT NULL,
    activated_at   timestamptz,
    activated_by   bigint REFERENCES verifier.account (id),
    activated_batch bigint
);
CREATE INDEX unit_instansi_idx ON verifier.unit (instansi_kode);

-- Registered PNS, from registration.completed (their data as registered).
CREATE TABLE verifier.pns (
    nip              text COLLATE "C" PRIMARY KEY CHECK (nip ~ '^[0-9]{18}$'),
    no_registrasi    text COLLATE "C" NOT NULL UNIQUE CHECK (no_registrasi ~ '^[2-9A-HJKMNP-Z]{8}$'),
    nama             text NOT NULL,
    unit_kerja_kode  text COLLATE "C" NOT NULL REFERENCES verifier.unit (kode),
    instansi_kode    text COLLATE "C" NOT NULL,
    registered_at    timestamptz NOT NULL,
    event_id         text COLLATE "C" NOT NULL
);
CREATE INDEX pns_unit_idx ON verifier.pns (unit_kerja_kode, nip);

-- A receipt (one half of the Bukti Registrasi) received by Verifikator 1.
-- One row per PNS at most: two verifiers marking the same receipt at once
-- give one mark (the second insert conflicts and changes nothing).
CREATE TABLE verifier.receipt_mark (
    nip              text COLLATE "C" PRIMARY KEY REFERENCES verifier.pns (nip),
    no_registrasi    text COLLATE "C" NOT NULL UNIQUE,
    unit_kerja_kode  text COLLATE "C" NOT NULL,
    method           text NOT NULL CHECK (method IN ('ketik', 'qr')),
    marked_by        bigint NOT NULL REFERENCES verifier.account (id),
    marked_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX receipt_mark_unit_idx ON verifier.receipt_mark (unit_kerja_kode);

-- A batch of received receipts of one unit, sent by Verifikator 1 to
-- Verifikator 2. draft -> submitted -> accepted, or submitted -> returned
-- (with a reason) -> submitted again after Verifikator 1 fixes it; a draft
-- or returned batch may be cancelled (its receipts are free again).
CREATE TABLE verifier.batch (
    id               bigserial PRIMARY KEY,
    unit_kerja_kode  text COLLATE "C" NOT NULL REFERENCES verifier.unit (kode),
    instansi_kode    text COLLATE "C" NOT NULL,
    state            text NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'accepted', 'cancelled')),
    created_by       bigint NOT NULL REFERENCES verifier.account (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    submitted_at     timestamptz,
    submissions      integer NOT NULL DEFAULT 0,
    decided_by       bigint REFERENCES verifier.account (id),
    decided_at       timestamptz,
    return_reason    text
);
CREATE INDEX batch_unit_idx ON verifier.batch (unit_kerja_kode, state);
CREATE INDEX batch_instansi_idx ON verifier.batch (instansi_kode, state);

-- The receipts of a batch. Only batches that are open (draft, submitted,
-- returned) or accepted hold items: cancelling a batch deletes its items.
-- So UNIQUE (nip) is the rule "a receipt is in at most one open or
-- accepted batch", kept by the database whatever runs at once. A receipt
-- can be in a batch only while it is marked received (the foreign key),
-- and its mark cannot be undone while it is in a batch (RESTRICT).
CREATE TABLE verifier.batch_item (
    batch_id  bigint NOT NULL REFERENCES verifier.batch (id),
    nip       text COLLATE "C" NOT NULL UNIQUE REFERENCES verifier.receipt_mark (nip) ON DELETE RESTRICT,
    PRIMARY KEY (batch_id, nip)
);

-- Correction reports, from identity.correction.requested / corrected /
-- correction.rejected; decided by Verifikator 2 (of the PNS's BKD) or admin.
CREATE TABLE verifier.correction (
    id               text COLLATE "C" PRIMARY KEY,
    nip              text COLLATE "C" NOT NULL,
    instansi_kode    text COLLATE "C",
    unit_kerja_kode  text COLLATE "C",
    data             jsonb NOT NULL,
    status           text NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    reason           text,
    resolved_by      text,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz
);
CREATE INDEX correction_instansi_idx ON verifier.correction (instansi_kode, status);

-- Transactional outbox (libcommon/outbox.h) for pupns.verifier.events.
CREATE TABLE verifier.outbox (
    seq        bigserial PRIMARY KEY,
    event_id   uuid NOT NULL UNIQUE,
    topic      text NOT NULL,
    key        text NOT NULL,
    payload    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent_idx ON verifier.outbox (seq) WHERE sent_at IS NULL;

RESET ROLE;

-- The audit log: every state change (who, what, when, from which address).
-- Owned by the migration's superuser, not by pupns_verifier: the service
-- may only INSERT and SELECT, so neither the API nor a bug in the service
-- can edit or delete an entry. The trigger refuses UPDATE/DELETE/TRUNCATE
-- even for a role that was granted more by mistake.
CREATE TABLE verifier.audit (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    account_id      bigint,
    username        text NOT NULL,
    role            text NOT NULL,
    action          text NOT NULL,
    object          text NOT NULL,
    client_address  text NOT NULL,
    request_id      text,
    detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at_idx ON verifier.audit (at DESC, id DESC);
CREATE INDEX audit_user_idx ON verifier.audit (username, id DESC);
CREATE FUNCTION verifier.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'verifier.audit is append-only';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON verifier.audit
    FOR EACH ROW EXECUTE FUNCTION verifier.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON verifier.audit
    FOR EACH STATEMENT EXECUTE FUNCTION verifier.audit_append_only();
REVOKE ALL ON verifier.audit FROM PUBLIC;
GRANT SELECT, INSERT ON verifier.audit TO pupns_verifier;
GRANT USAGE ON SEQUENCE verifier.audit_id_seq TO pupns_verifier;
