using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace TenantAtlas.RunsService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RunDispatchOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "run_dispatch_outbox",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stream = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    trace_parent = table.Column<string>(type: "character varying(55)", maxLength: 55, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    deadline_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_dispatch_outbox", x => x.id);
                    table.ForeignKey(
                        name: "FK_run_dispatch_outbox_operation_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "runs",
                        principalTable: "operation_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_run_dispatch_outbox_run_id",
                schema: "runs",
                table: "run_dispatch_outbox",
                column: "run_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_dispatch_outbox_next_attempt",
                schema: "runs",
                table: "run_dispatch_outbox",
                column: "next_attempt_at");

            // Wake the dispatch relay the moment a job is written (delivered on commit), instead of a slow poll.
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS run_dispatch_outbox_notify ON runs.run_dispatch_outbox; DROP FUNCTION IF EXISTS runs.notify_run_dispatch();");

            migrationBuilder.DropTable(
                name: "run_dispatch_outbox",
                schema: "runs");
        }
    }
}
