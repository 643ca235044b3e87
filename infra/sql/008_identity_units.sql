-- 008_identity_units.sql -- a unit kerja's members paged by NIP, and
-- correction reports resolved by a verifier (accepted or rejected, why,
-- by whom, by which command).
SET ROLE pupns_identity;

-- identity.unit.members.v1 pages WHERE unit_kerja_kode = $1 AND nip > $2
-- ORDER BY nip: an index range scan per page, however large the unit.
CREATE INDEX pns_unit_nip_idx ON identity.pns (unit_kerja_kode, nip);

-- resolve_command_id: the identity.correction.resolve.v1 command that
-- resolved the report; the same command again is answered "ok" (a retry),
-- another one "already_resolved".
ALTER TABLE identity.koreksi
    ADD COLUMN alasan              text,
    ADD COLUMN resolved_by         text,
    ADD COLUMN resolved_at         timestamptz,
    ADD COLUMN resolve_command_id  text COLLATE "C",
    ADD CONSTRAINT koreksi_resolved_chk CHECK (
        (status = 'terbuka') = (resolved_at IS NULL AND resolve_command_id IS NULL));

-- A PNS's own reports, newest first (GET /api/v1/pns/{nip}/koreksi).
CREATE INDEX koreksi_nip_created_idx ON identity.koreksi (nip, created_at DESC);
DROP INDEX identity.koreksi_nip_idx;

RESET ROLE;
