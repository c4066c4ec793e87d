extern alias backup;

using FireTimes = backup::TenantAtlas.BackupService.Schedules.FireTimes;

namespace TenantAtlas.BackupService.Tests;

/// <summary>Schedule fire times in a time zone with DST: one fire per day across both transitions, at the instant a person expects.</summary>
public sealed class FireTimesTests
{
    private static DateTime Utc(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void SpringForward_ASlotInTheSkippedHour_FiresOnce_AtTheFirstInstantAfterTheGap()
    {
        // Europe/Berlin, 2027-03-28: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that night.
        var times = FireTimes.Parse("30 2 * * *", "Europe/Berlin");

        var fires = times.Next(Utc(2027, 3, 26, 12, 0), 4);

        Assert.Equal([Utc(2027, 3, 27, 1, 30), Utc(2027, 3, 28, 1, 0), Utc(2027, 3, 29, 0, 30), Utc(2027, 3, 30, 0, 30)], fires);
    }

    [Fact]
    public void FallBack_ASlotInTheRepeatedHour_FiresOnce()
    {
        // Europe/Berlin, 2027-10-31: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice; the schedule fires at the first.
        var times = FireTimes.Parse("30 2 * * *", "Europe/Berlin");

        var fires = times.Next(Utc(2027, 10, 29, 12, 0), 3);

        Assert.Equal([Utc(2027, 10, 30, 0, 30), Utc(2027, 10, 31, 0, 30), Utc(2027, 11, 1, 1, 30)], fires);
    }

    [Fact]
    public void AfterDowntime_OnlyTheLatestMissedSlotIsDue()
    {
        var times = FireTimes.Parse("0 * * * *", "UTC");

        Assert.Equal(Utc(2027, 1, 3, 17, 0), times.LatestDue(after: Utc(2027, 1, 1, 0, 0), now: Utc(2027, 1, 3, 17, 42)));
        Assert.Null(times.LatestDue(after: Utc(2027, 1, 3, 17, 0), now: Utc(2027, 1, 3, 17, 59)));
    }

    [Theory]
    [InlineData("0 2 * *", "UTC", true, false)]
    [InlineData("61 2 * * *", "UTC", true, false)]
    [InlineData("0 2 * * *", "Mars/Olympus_Mons", false, true)]
    public void InvalidExpressionsAndZones_SayWhatIsWrong(string cron, string zone, bool cronBad, bool zoneBad)
    {
        Assert.Null(FireTimes.TryParse(cron, zone, out var cronError, out var zoneError));
        Assert.Equal(cronBad, cronError is not null);
        Assert.Equal(zoneBad, zoneError is not null);
    }
}
