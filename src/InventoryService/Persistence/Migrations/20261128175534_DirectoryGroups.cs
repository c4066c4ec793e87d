using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.InventoryService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DirectoryGroups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "directory_groups",
                schema: "inventory",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    group_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    display_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    search_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, computedColumnSql: "lower(display_name)", stored: true),
                    group_types = table.Column<List<string>>(type: "text[]", nullable: false),
                    membership_rule = table.Column<string>(type: "text", nullable: true),
                    security_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    last_seen_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_directory_groups", x => new { x.tenant_id, x.group_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_directory_groups_tenant_id_search_name_group_id",
                schema: "inventory",
                table: "directory_groups",
                columns: new[] { "tenant_id", "search_name", "group_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "directory_groups",
                schema: "inventory");
        }
    }
}
