-- 010_notify.sql -- the notify service's role and schema: what became of
-- each notice it was given, by event id, so that a notice delivered again
-- (a restart, a rebalance, a SIGKILL before the offset was committed) is
-- never mailed twice, and failed attempts are counted across restarts.
-- No mail content is kept: the mails carry single-use links.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pupns_notify') THEN
    CREATE ROLE pupns_notify LOGIN;
  END IF;
END $$;
CREATE SCHEMA IF NOT EXISTS notify AUTHORIZATION pupns_notify;
REVOKE ALL ON SCHEMA notify FROM PUBLIC;
ALTER ROLE pupns_notify SET search_path = notify;

SET ROLE pupns_notify;

-- One row per notice that was tried: 'sent' once the SMTP server answered
-- 250 to its data (written right after that answer: deliver.c), 'pending'
-- after failed attempts that are retried, 'failed' once given up (its dead
-- letter is in pupns.deadletter). A notice without a row was never tried,
-- or its only attempt was cut short by a crash.
CREATE TABLE notify.mail (
    event_id          text COLLATE "C" PRIMARY KEY,
    type              text COLLATE "C" NOT NULL,
    nip               text COLLATE "C" NOT NULL CHECK (nip ~ '^[0-9]{18}$'),
    state             text COLLATE "C" NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,  -- failed attempts
    first_failure_at  timestamptz,
    last_error        text,
    sent_at           timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_nip ON notify.mail (nip);
CREATE INDEX mail_open ON notify.mail (updated_at) WHERE state <> 'sent';

RESET ROLE;
