using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace TenantAtlas.RunsService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InitialRunsSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "runs");

            migrationBuilder.CreateTable(
                name: "workspaces",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workspaces", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenants",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    entra_tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tenants", x => x.id);
                    table.ForeignKey(
                        name: "FK_tenants_workspaces_workspace_id",
                        column: x => x.workspace_id,
                        principalSchema: "runs",
                        principalTable: "workspaces",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "workspace_members",
                schema: "runs",
                columns: table => new
                {
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    tenant_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workspace_members", x => new { x.workspace_id, x.subject });
                    table.CheckConstraint("ck_workspace_members_role", "role IN ('readonly', 'operator', 'manager', 'owner')");
                    table.ForeignKey(
                        name: "FK_workspace_members_workspaces_workspace_id",
                        column: x => x.workspace_id,
                        principalSchema: "runs",
                        principalTable: "workspaces",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "operation_runs",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    outcome = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    identity_policy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    run_identity_hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    identity_inputs = table.Column<string>(type: "jsonb", nullable: false),
                    initiator_subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    initiator_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    count_total = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    count_processed = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    count_succeeded = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    count_failed = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    count_skipped = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    failures = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    failures_dropped = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    context = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'{}'::jsonb"),
                    trace_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_operation_runs", x => x.id);
                    table.CheckConstraint("ck_operation_runs_counts_not_negative", "count_total >= 0 AND count_processed >= 0 AND count_succeeded >= 0 AND count_failed >= 0 AND count_skipped >= 0");
                    table.CheckConstraint("ck_operation_runs_identity_policy", "identity_policy IN ('while_active', 'per_click', 'once')");
                    table.CheckConstraint("ck_operation_runs_outcome", "outcome IN ('pending', 'succeeded', 'partially_succeeded', 'failed', 'cancelled')");
                    table.CheckConstraint("ck_operation_runs_outcome_matches_status", "(status = 'completed') = (outcome <> 'pending')");
                    table.CheckConstraint("ck_operation_runs_status", "status IN ('queued', 'running', 'completed')");
                    table.ForeignKey(
                        name: "FK_operation_runs_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalSchema: "runs",
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_operation_runs_workspaces_workspace_id",
                        column: x => x.workspace_id,
                        principalSchema: "runs",
                        principalTable: "workspaces",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "run_notifications",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    recipient_subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    run_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    outcome = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    read_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_notifications", x => x.id);
                    table.CheckConstraint("ck_run_notifications_kind", "kind IN ('run_queued', 'run_completed')");
                    table.ForeignKey(
                        name: "FK_run_notifications_operation_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "runs",
                        principalTable: "operation_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_operation_runs_tenant_id",
                schema: "runs",
                table: "operation_runs",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_operation_runs_tenant_created",
                schema: "runs",
                table: "operation_runs",
                columns: new[] { "workspace_id", "tenant_id", "created_at", "id" },
                descending: new[] { false, false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_operation_runs_workspace_created",
                schema: "runs",
                table: "operation_runs",
                columns: new[] { "workspace_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ux_operation_runs_active_identity",
                schema: "runs",
                table: "operation_runs",
                columns: new[] { "workspace_id", "tenant_id", "run_identity_hash" },
                unique: true,
                filter: "status IN ('queued', 'running') AND identity_policy = 'while_active'")
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ux_operation_runs_lasting_identity",
                schema: "runs",
                table: "operation_runs",
                columns: new[] { "workspace_id", "tenant_id", "run_identity_hash" },
                unique: true,
                filter: "identity_policy IN ('per_click', 'once')")
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "IX_run_notifications_run_id",
                schema: "runs",
                table: "run_notifications",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "ix_run_notifications_recipient",
                schema: "runs",
                table: "run_notifications",
                columns: new[] { "recipient_subject", "id" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_run_notifications_unread",
                schema: "runs",
                table: "run_notifications",
                column: "recipient_subject",
                filter: "read_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_tenants_workspace_id_entra_tenant_id",
                schema: "runs",
                table: "tenants",
                columns: new[] { "workspace_id", "entra_tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_workspace_members_subject",
                schema: "runs",
                table: "workspace_members",
                column: "subject");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_notifications",
                schema: "runs");

            migrationBuilder.DropTable(
                name: "workspace_members",
                schema: "runs");

            migrationBuilder.DropTable(
                name: "operation_runs",
                schema: "runs");

            migrationBuilder.DropTable(
                name: "tenants",
                schema: "runs");

            migrationBuilder.DropTable(
                name: "workspaces",
                schema: "runs");
        }
    }
}
