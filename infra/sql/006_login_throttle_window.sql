-- 006_login_throttle_window.sql -- per-NIP login failures decay: they count
-- within the hour that began with the first of them, then start again, so a
-- NIP that once collected failures is not locked again by one guess an hour.
ALTER TABLE registration.login_throttle
    ADD COLUMN window_start timestamptz NOT NULL DEFAULT now();
