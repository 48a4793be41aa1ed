-- The production database role of the app: everything it needs, and no UPDATE or DELETE on ballots.
-- Run as the owner of the schema, after every migration:
--     psql "$OWNER_URL" -v app_role=pb_app -f pb/voting/grants.sql
-- (or: flask --app pb vote grants pb_app | psql "$OWNER_URL")
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- Ballots and their choices are written once, receipt roots and the audit log only appended to.
REVOKE UPDATE, DELETE, TRUNCATE ON ballot, ballot_choice, receipt_root, audit_event FROM :"app_role";
-- The close rewrites the closed vote's ballot rows through this function, which runs as the schema owner.
GRANT EXECUTE ON FUNCTION pb_rebuild_ballots(integer) TO :"app_role";
