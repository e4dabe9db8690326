using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>The documented <c>--json</c> shapes (docs/client.md), field by field.</summary>
public sealed class JsonShapesTests
{
    private static readonly DateTimeOffset Scheduled = new(2026, 3, 29, 1, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_schedule_carries_the_documented_fields_with_instants_in_iso_8601()
    {
        var status = new ScheduleStatus
        {
            Definition = new ScheduleDefinition
            {
                Tenant = "acme", Name = "nightly", Cron = "30 3 * * *", TimeZone = "Europe/Berlin", Body = "BEGIN SELECT 1; END",
                Overlap = OverlapPolicy.BufferOne, Missed = MissedPolicy.CatchUp, Timeout = TimeSpan.FromSeconds(90), Owner = "alice",
            },
            Pause = new PauseInfo("bob", Scheduled, "upgrade"),
            NextRun = new DateTimeOffset(2026, 3, 29, 3, 30, 0, TimeSpan.FromHours(2)),
            LastStatus = RunStatus.Failed,
        };

        var json = JsonShapes.Schedule(status);

        Assert.Equal("nightly", json["name"]!.GetValue<string>());
        Assert.Equal("30 3 * * *", json["cron"]!.GetValue<string>());
        Assert.Equal("Europe/Berlin", json["timeZone"]!.GetValue<string>());
        Assert.True(json["enabled"]!.GetValue<bool>());
        Assert.True(json["paused"]!.GetValue<bool>());
        Assert.Equal("2026-03-29T03:30:00+02:00", json["nextRun"]!.GetValue<string>());
        Assert.Equal("Failed", json["lastStatus"]!.GetValue<string>());
        Assert.Equal(("BUFFER_ONE", "CATCH_UP", 90d), (json["overlap"]!.GetValue<string>(), json["missed"]!.GetValue<string>(), json["timeoutSeconds"]!.GetValue<double>()));
        Assert.Equal(("bob", "2026-03-29T01:30:00+00:00", "upgrade"), (
            json["pause"]!["by"]!.GetValue<string>(), json["pause"]!["at"]!.GetValue<string>(), json["pause"]!["note"]!.GetValue<string>()));
    }

    [Fact]
    public void A_history_row_carries_every_documented_field_and_the_duration_in_milliseconds()
    {
        var run = new RunRecord
        {
            RunId = "nightly.g1.20260329T013000Z", Tenant = "acme", Schedule = "nightly", Status = RunStatus.Failed,
            ScheduledAt = Scheduled, StartedAt = Scheduled.AddMilliseconds(5), FinishedAt = Scheduled.AddMilliseconds(1255.5),
            Error = "no such table: stats", Attempt = 2, Silo = "127.0.0.1:22111@1", Owner = "alice",
        };

        var json = JsonShapes.Run(run);

        Assert.Equal(
            ["runId", "schedule", "status", "trigger", "scheduledAt", "coversFrom", "count", "startedAt", "finishedAt", "durationMs", "reason", "error", "attempt", "silo", "owner", "recordedAt"],
            json.Select(p => p.Key));
        Assert.Equal(1250.5, json["durationMs"]!.GetValue<double>());
        Assert.Equal("2026-03-29T01:30:00.005+00:00", json["startedAt"]!.GetValue<string>());
        Assert.Equal(("Failed", "Cron", 2), (json["status"]!.GetValue<string>(), json["trigger"]!.GetValue<string>(), json["attempt"]!.GetValue<int>()));
        Assert.Null(json["reason"]);
    }

    [Fact]
    public void Cron_occurrences_are_iso_strings_carrying_the_zone_offset()
    {
        var preview = new CronPreview
        {
            Zone = "Europe/Berlin",
            From = new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.FromHours(1)),
            Occurrences =
            [
                new DateTimeOffset(2026, 3, 29, 3, 30, 0, TimeSpan.FromHours(2)),
                new DateTimeOffset(2026, 3, 30, 3, 30, 0, TimeSpan.FromHours(2)),
            ],
        };

        Assert.Equal(["2026-03-29T03:30:00+02:00", "2026-03-30T03:30:00+02:00"], JsonShapes.Occurrences(preview).Select(n => n!.GetValue<string>()));
        Assert.Equal([0], Tables.DstShifts(preview)); // the first one follows the switch from +01:00
    }

    [Fact]
    public void A_query_prints_row_objects_and_keeps_repeated_column_names_apart()
    {
        var result = new SqlStatementResult
        {
            Kind = SqlStatementKind.Query,
            Tag = "SELECT 1",
            Query = new SqlResult
            {
                Columns = ["id", "id", "note", "blob", "ratio"],
                Rows = [[1L, 2L, null, new byte[] { 1, 2 }, 0.5]],
                Tag = "SELECT 1",
            },
        };

        var json = Assert.IsType<JsonArray>(JsonShapes.Statement(result));

        var row = Assert.Single(json)!.AsObject();
        Assert.Equal(["id", "id_2", "note", "blob", "ratio"], row.Select(p => p.Key));
        Assert.Equal((1L, 2L, "AQI=", 0.5), (row["id"]!.GetValue<long>(), row["id_2"]!.GetValue<long>(), row["blob"]!.GetValue<string>(), row["ratio"]!.GetValue<double>()));
        Assert.Null(row["note"]);
    }

    [Fact]
    public void Ddl_prints_a_tag_object_and_a_script_prints_one_entry_per_statement()
    {
        SqlStatementResult[] script =
        [
            new() { Kind = SqlStatementKind.CreateSchedule, Tag = "CREATE SCHEDULE", Schedule = "nightly" },
            new() { Kind = SqlStatementKind.DropSchedule, Tag = "DROP SCHEDULE", Schedule = "old", Changed = false },
            new() { Kind = SqlStatementKind.Query, Tag = "INSERT 3", Query = new SqlResult { RowsAffected = 3, Tag = "INSERT 3" } },
        ];

        var single = JsonShapes.Script([script[0]]);
        Assert.Equal("""{"tag":"CREATE SCHEDULE","schedule":"nightly","changed":true}""", single.ToJsonString());

        var all = Assert.IsType<JsonArray>(JsonShapes.Script(script));
        Assert.Equal(3, all.Count);
        Assert.False(all[1]!["changed"]!.GetValue<bool>());
        Assert.Equal("""{"tag":"INSERT 3","rowsAffected":3}""", all[2]!.ToJsonString());
    }
}
