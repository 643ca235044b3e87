-- 001_roles_schemas.sql -- one schema and one login role per service;
-- each role may use only its own schema (DESIGN.md: no service reads another's tables).
DO $$
DECLARE svc text;
BEGIN
  FOREACH svc IN ARRAY ARRAY['identity','registration','receipt','verifier'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pupns_' || svc) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'pupns_' || svc);
    END IF;
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, 'pupns_' || svc);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', svc);
    EXECUTE format('ALTER ROLE %I SET search_path = %I', 'pupns_' || svc, svc);
  END LOOP;
END $$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
