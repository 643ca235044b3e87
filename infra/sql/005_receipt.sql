-- 005_receipt.sql -- the receipt service's schema: one receipt per
-- registration (what the Bukti Registrasi and the Formulir are rendered
-- from) and revocations. The PDFs themselves are not stored: they are
-- rendered on request from these rows, deterministically (same row, same
-- template, same bytes), which keeps ~0.5 KB per PNS instead of ~80 KB.
SET ROLE pupns_receipt;

-- The receipt of one registration, from its registration.completed event.
-- event_id is the de-duplication key: a re-delivered event inserts nothing.
-- data is the event's data as received (no_registrasi, nip, nama,
-- instansi, unit_kerja, created_at); issued_at, key_id and signature are
-- what the QR code carries (payload.h), fixed at the first delivery so a
-- re-render gives the same QR and key rotation never re-signs old receipts.
CREATE TABLE receipt.document (
    no_registrasi  text COLLATE "C" PRIMARY KEY CHECK (no_registrasi ~ '^[2-9A-HJKMNP-Z]{8}$'),
    nip            text COLLATE "C" NOT NULL UNIQUE CHECK (nip ~ '^[0-9]{18}$'),
    event_id       text COLLATE "C" NOT NULL UNIQUE,
    data           jsonb NOT NULL,
    issued_at      timestamptz NOT NULL,
    key_id         text COLLATE "C" NOT NULL,
    signature      text COLLATE "C" NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- A revoked registration: its receipt no longer verifies ("registrasi
-- dicabut"). Written by operators (or, later, the verifier workflow);
-- no row, not revoked.
CREATE TABLE receipt.revocation (
    no_registrasi  text COLLATE "C" PRIMARY KEY,
    reason         text NOT NULL,
    revoked_at     timestamptz NOT NULL DEFAULT now()
);

RESET ROLE;
