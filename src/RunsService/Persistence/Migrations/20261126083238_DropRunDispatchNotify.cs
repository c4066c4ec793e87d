using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.RunsService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DropRunDispatchNotify : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // NOTIFY takes a database-wide lock held through commit, serializing every EnsureRun commit; the
            // relay is now woken in-process by the replica that wrote the job (DispatchSignal) and polls for the rest.
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS run_dispatch_outbox_notify ON runs.run_dispatch_outbox; DROP FUNCTION IF EXISTS runs.notify_run_dispatch();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION runs.notify_run_dispatch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('run_dispatch', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER run_dispatch_outbox_notify AFTER INSERT ON runs.run_dispatch_outbox
                    FOR EACH STATEMENT EXECUTE FUNCTION runs.notify_run_dispatch();
                """);
        }
    }
}
