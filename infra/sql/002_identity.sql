-- 002_identity.sql -- PNS master data owned by the identity service.
SET ROLE pupns_identity;

-- Agencies: central ministries/agencies, provinces, regencies and cities.
-- kode: 'P' + 3 digits (pusat), 'R' + BPS province code, 'K' + BPS regency/city code.
CREATE TABLE identity.instansi (
    kode          text COLLATE "C" PRIMARY KEY,
    nama          text NOT NULL,
    jenis         text NOT NULL CHECK (jenis IN ('pusat', 'provinsi', 'kabupaten', 'kota')),
    provinsi_kode text COLLATE "C" REFERENCES identity.instansi (kode)
);

-- Work units (SKPD) inside an agency; kode = instansi kode + '.' + 3 digits.
CREATE TABLE identity.unit_kerja (
    kode          text COLLATE "C" PRIMARY KEY,
    instansi_kode text COLLATE "C" NOT NULL REFERENCES identity.instansi (kode),
    nama          text NOT NULL
);
CREATE INDEX unit_kerja_instansi_idx ON identity.unit_kerja (instansi_kode);

-- One row per civil servant. The NIP encodes birth date, TMT CPNS, gender
-- and serial; the columns hold the same facts for querying.
CREATE TABLE identity.pns (
    nip             text COLLATE "C" PRIMARY KEY CHECK (nip ~ '^[0-9]{18}$'),
    nama            text NOT NULL,
    tempat_lahir    text NOT NULL,
    tanggal_lahir   date NOT NULL,
    jenis_kelamin   smallint NOT NULL CHECK (jenis_kelamin IN (1, 2)),
    tmt_cpns        date NOT NULL,
    instansi_kode   text COLLATE "C" NOT NULL REFERENCES identity.instansi (kode),
    unit_kerja_kode text COLLATE "C" NOT NULL REFERENCES identity.unit_kerja (kode)
);

RESET ROLE;
