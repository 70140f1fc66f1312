/*
 * cgi-bin/sandbox.c — the built-in provider sandbox
 * (lib/sandbox/sandbox.h): the OAuth pages and APIs of the ten providers
 * under /sandbox/, each provider's own path after its prefix.  Answers
 * 404 unless SLUICE_SANDBOX is on.  The routes are the registry's
 * (lib/sandbox/registry.c): each provider's file lists its own.
 */
#include "sandbox/sandbox.h"
#include "web/app.h"

int
main(int argc, char *argv[])
{
	struct app_def def = { .name = "sandbox" };

	def.routes = sandbox_routes(&def.nroutes);
	return app_main(&def, argc, argv);
}
