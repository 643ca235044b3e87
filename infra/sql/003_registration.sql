-- 003_registration.sql -- accounts, idempotent command results, sessions,
-- login throttling and the transactional outbox of the registration service.
SET ROLE pupns_registration;

-- One registered PNS. Secrets are stored only as argon2id (password) or
-- keyed BLAKE2b hashes of the normalised answer; never in plain text.
-- nama/instansi/unit kerja are the identity snapshot at registration time,
-- printed on the receipt.
CREATE TABLE registration.account (
    nip               text COLLATE "C" PRIMARY KEY CHECK (nip ~ '^[0-9]{18}$'),
    no_registrasi     text COLLATE "C" NOT NULL UNIQUE CHECK (no_registrasi ~ '^[2-9A-HJKMNP-Z]{8}$'),
    email             text NOT NULL,
    nama              text NOT NULL,
    instansi_kode     text NOT NULL,
    instansi_nama     text NOT NULL,
    unit_kerja_kode   text NOT NULL,
    unit_kerja_nama   text NOT NULL,
    password_hash     text NOT NULL,
    ibu_kandung_hash  text NOT NULL,
    pertanyaan_id     smallint NOT NULL,
    jawaban_hash      text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- The first result of every command, so a re-delivered or retried command
-- (same command id) gets the same answer and changes nothing.
CREATE TABLE registration.command_result (
    command_id  text COLLATE "C" PRIMARY KEY,
    nip         text COLLATE "C" NOT NULL,
    result      jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Login throttling per NIP, also for NIPs without an account, so lock-outs
-- do not reveal which NIPs are registered.
CREATE TABLE registration.login_throttle (
    nip           text COLLATE "C" PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    locked_until  timestamptz
);

-- Bearer sessions: only the SHA-256 of the token is stored.
CREATE TABLE registration.session (
    token_hash  text COLLATE "C" PRIMARY KEY,
    nip         text COLLATE "C" NOT NULL REFERENCES registration.account (nip),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX session_nip_idx ON registration.session (nip);

-- Events leave through this table: written in the same transaction as the
-- change they describe, published by the relay, marked sent afterwards.
CREATE TABLE registration.outbox (
    seq        bigserial PRIMARY KEY,
    event_id   uuid NOT NULL UNIQUE,
    topic      text NOT NULL,
    key        text NOT NULL,
    payload    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent_idx ON registration.outbox (seq) WHERE sent_at IS NULL;

RESET ROLE;
