using Orleans;
using Orleans.Runtime;

namespace NodeDb.Orleans.Tests.Storage;

public sealed class SqliteReminderTableTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();
    private readonly string _serviceId = "svc-" + Guid.NewGuid().ToString("N");

    public void Dispose() => _dir.Dispose();

    private static GrainId NewGrainId() => GrainId.Create("probe", Guid.NewGuid().ToString("N"));

    private static ReminderEntry Entry(GrainId grainId, string name = "tick", int periodSeconds = 60) => new()
    {
        GrainId = grainId,
        ReminderName = name,
        StartAt = new DateTime(2026, 3, 29, 1, 30, 15, 123, DateTimeKind.Utc).AddTicks(4567),
        Period = TimeSpan.FromSeconds(periodSeconds),
    };

    [Fact]
    public async Task Upsert_then_read_row_round_trips_every_field()
    {
        using var table = _dir.CreateReminderTable(_serviceId);
        await table.StartAsync(TestContext.Current.CancellationToken);
        var entry = Entry(NewGrainId());

        var etag = await table.UpsertRow(entry);
        var read = await table.ReadRow(entry.GrainId, "tick");

        Assert.NotNull(read);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(etag, read.ETag);
        Assert.Equal(entry.GrainId, read.GrainId);
        Assert.Equal(entry.StartAt, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(TimeSpan.FromSeconds(60), read.Period);
    }

    [Fact]
    public async Task Read_row_of_a_missing_reminder_is_null()
    {
        using var table = _dir.CreateReminderTable(_serviceId);

        Assert.Null(await table.ReadRow(NewGrainId(), "tick"));
    }

    [Fact]
    public async Task Upsert_replaces_the_row_with_a_new_etag_and_remove_needs_the_current_one()
    {
        using var table = _dir.CreateReminderTable(_serviceId);
        var grain = NewGrainId();
        var first = (await table.UpsertRow(Entry(grain, periodSeconds: 60)))!;
        var second = (await table.UpsertRow(Entry(grain, periodSeconds: 120)))!;

        var removedWithStale = await table.RemoveRow(grain, "tick", first);
        var stillThere = await table.ReadRow(grain, "tick");
        var removedWithCurrent = await table.RemoveRow(grain, "tick", second);

        Assert.NotEqual(first, second);
        Assert.False(removedWithStale);
        Assert.NotNull(stillThere);
        Assert.Equal(TimeSpan.FromSeconds(120), stillThere.Period);
        Assert.True(removedWithCurrent);
        Assert.Null(await table.ReadRow(grain, "tick"));
        Assert.False(await table.RemoveRow(grain, "tick", second));
    }

    [Fact]
    public async Task Read_rows_by_grain_returns_only_that_grains_reminders()
    {
        using var table = _dir.CreateReminderTable(_serviceId);
        var grain = NewGrainId();
        await table.UpsertRow(Entry(grain, "a"));
        await table.UpsertRow(Entry(grain, "b"));
        await table.UpsertRow(Entry(NewGrainId(), "a"));

        var rows = await table.ReadRows(grain);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
    }

    [Fact]
    public async Task Range_reads_use_exclusive_begin_inclusive_end_and_wrap_around()
    {
        using var table = _dir.CreateReminderTable(_serviceId);
        var grains = Enumerable.Range(0, 6).Select(_ => NewGrainId()).OrderBy(g => g.GetUniformHashCode()).ToArray();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain));
        }

        uint Hash(int i) => grains[i].GetUniformHashCode();
        async Task<GrainId[]> Read(uint begin, uint end) =>
            (await table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId).OrderBy(g => g.GetUniformHashCode()).ToArray();

        // (h1, h3] holds h2 and h3 but not h1.
        Assert.Equal([grains[2], grains[3]], await Read(Hash(1), Hash(3)));
        // begin > end wraps: (h3, max] and [0, h1].
        Assert.Equal([grains[0], grains[1], grains[4], grains[5]], await Read(Hash(3), Hash(1)));
        // begin == end is the whole ring.
        Assert.Equal(grains, await Read(Hash(2), Hash(2)));
        // Ranges touching the ends of the ring.
        Assert.Equal(grains[..2], await Read(0, Hash(1)));
        Assert.Equal(grains[5..], await Read(Hash(4), uint.MaxValue));
    }

    [Fact]
    public async Task Rows_are_scoped_by_service_id()
    {
        using var mine = _dir.CreateReminderTable(_serviceId);
        using var theirs = _dir.CreateReminderTable(_serviceId + "-other");
        var grain = NewGrainId();
        await mine.UpsertRow(Entry(grain));

        await theirs.TestOnlyClearTable();

        Assert.Null(await theirs.ReadRow(grain, "tick"));
        Assert.Empty((await theirs.ReadRows(0, 0)).Reminders);
        Assert.NotNull(await mine.ReadRow(grain, "tick"));
    }

    [Fact]
    public async Task Test_only_clear_removes_this_services_rows()
    {
        using var table = _dir.CreateReminderTable(_serviceId);
        await table.UpsertRow(Entry(NewGrainId()));

        await table.TestOnlyClearTable();

        Assert.Empty((await table.ReadRows(0, 0)).Reminders);
    }

    [Fact]
    public async Task Reminders_survive_disposing_and_reopening_the_table()
    {
        var entry = Entry(NewGrainId());
        string etag;
        using (var before = _dir.CreateReminderTable(_serviceId))
        {
            etag = (await before.UpsertRow(entry))!;
        }

        using var after = _dir.CreateReminderTable(_serviceId);
        var read = await after.ReadRow(entry.GrainId, "tick");

        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.Equal(entry.StartAt, read.StartAt);
    }
}
