-- 310_login_in_use.sql — whether a provider login is still used by any
-- workspace of the installation (issue 17 item 10's review).
--
-- Disconnecting revokes the grant at the provider, which ends it for
-- every workspace that connected the same login (Meta's DELETE
-- /me/permissions, GitHub's DELETE of the grant, Google's revoke of the
-- family's grant).  The web role sees its own workspace's connections
-- only; this function, run as the owner of the tables, answers one
-- boolean for the whole installation and shows nothing else: is there
-- another connection with tokens, of one of p_providers (a family),
-- whose login is p_owner — or whose login was never named, which may be
-- anyone's (p_owner '' likewise).
CREATE FUNCTION sluice_login_in_use(p_providers text[], p_owner text,
    p_except bigint)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM connections
	    WHERE id <> p_except AND provider = ANY (p_providers)
	    AND token_blob IS NOT NULL
	    AND (external_owner = p_owner OR external_owner = ''
	    OR p_owner = ''))
$$;
REVOKE ALL ON FUNCTION sluice_login_in_use(text[], text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sluice_login_in_use(text[], text, bigint)
	TO sluice_web;
