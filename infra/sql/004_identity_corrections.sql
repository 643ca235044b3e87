-- 004_identity_corrections.sql -- correction reports from PNS ("Jika data
-- Nama / Instansi terdapat kesalahan") and the identity service's outbox.
SET ROLE pupns_identity;

-- No foreign key to pns: master data is reloaded wholesale (pupns-seed),
-- and reports must survive a reload. The NIP is checked when reported.
CREATE TABLE identity.koreksi (
    id          text COLLATE "C" PRIMARY KEY,  -- the command id: a retried report is one report
    nip         text COLLATE "C" NOT NULL CHECK (nip ~ '^[0-9]{18}$'),
    field       text NOT NULL CHECK (field IN ('nama', 'instansi')),
    nilai_lama  text NOT NULL,
    usulan      text NOT NULL,
    catatan     text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'terbuka' CHECK (status IN ('terbuka', 'diterima', 'ditolak')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX koreksi_nip_idx ON identity.koreksi (nip);
CREATE INDEX koreksi_open_idx ON identity.koreksi (created_at) WHERE status = 'terbuka';

CREATE TABLE identity.outbox (
    seq        bigserial PRIMARY KEY,
    event_id   uuid NOT NULL UNIQUE,
    topic      text NOT NULL,
    key        text NOT NULL,
    payload    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent_idx ON identity.outbox (seq) WHERE sent_at IS NULL;

RESET ROLE;
