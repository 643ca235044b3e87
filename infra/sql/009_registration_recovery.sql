-- 009_registration_recovery.sql -- lupa kata kunci, cek status and a
-- verified e-mail address (issue 11): the address's verification, the
-- single-use tokens of the mails (only their SHA-256 is stored) and the
-- per-NIP throttle of recovery attempts.
SET ROLE pupns_registration;

-- NULL: the address was never verified (or changed since): the registration
-- is complete without it, but a reset link is only ever sent to a verified one.
ALTER TABLE registration.account ADD COLUMN email_verified_at timestamptz;

-- Tokens of the links in mails. purpose 'verify' proves the address `email`
-- (it is void once the account's address differs), 'reset' sets a new
-- password. Single use: used_at is set in the same statement that checks it.
CREATE TABLE registration.email_token (
    token_hash  text COLLATE "C" PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    nip         text COLLATE "C" NOT NULL REFERENCES registration.account (nip),
    purpose     text NOT NULL CHECK (purpose IN ('verify', 'reset')),
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_token_nip_idx ON registration.email_token (nip, purpose, created_at);

-- Failed recovery attempts per NIP (reset by answer, cek status, a wrong old
-- password): the login throttle's rules (login.c, 006), its own counters so
-- that a login and a recovery do not lock each other. Also for NIPs without
-- an account, so lock-outs tell nothing about who registered.
CREATE TABLE registration.recovery_throttle (
    nip           text COLLATE "C" PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    window_start  timestamptz NOT NULL DEFAULT now()
);

RESET ROLE;
