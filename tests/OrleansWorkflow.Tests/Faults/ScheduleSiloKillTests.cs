using System.Text.RegularExpressions;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

/// <summary>A schedule every minute on two real silo processes, the one firing it killed with SIGKILL.</summary>
[Collection(SiloKillCollection.Name)]
public sealed class ScheduleSiloKillTests(ITestOutputHelper output)
{
    private const string Schedule = "minutely";

    [Fact]
    public async Task A_schedule_every_minute_creates_one_incident_per_minute_across_two_silos_and_a_SIGKILL_of_the_one_firing_it()
    {
        var settings = new Dictionary<string, string>
        {
            ["OWF_Cluster__Membership"] = "postgresql",
            [$"OWF_Workflow__Schedules__{Schedule}__Cron"] = "* * * * *",
            [$"OWF_Workflow__Schedules__{Schedule}__Kind"] = "TEST",
            [$"OWF_Workflow__Schedules__{Schedule}__Missed"] = "RunOnce",
        };
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var first = await SiloProcess.StartAsync(database, broker, settings);
        await using var second = await SiloProcess.StartAsync(database, broker, settings);
        await using var client = await first.ConnectAsync(membershipDatabase: database.ConnectionString);
        await Eventually.UntilAsync(client.GetSilos, s => s.Values.Count(v => v == "Active") == 2, TimeSpan.FromSeconds(60), "both silos to be active");

        // Two fires on the silo that holds the schedule, then that silo dies.
        var silos = new[] { first, second };
        await Eventually.UntilAsync(() => Task.FromResult(silos.Sum(s => Fires(s).Count)), n => n >= 2, TimeSpan.FromSeconds(150), "the schedule to fire twice");
        var victim = silos.Single(s => Fires(s).Count > 0);
        var survivor = silos.Single(s => s != victim);
        var beforeKill = Fires(victim);
        await victim.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        // The survivor takes the schedule's reminder once membership declares the victim dead, and fires on.
        await Eventually.UntilAsync(() => Task.FromResult(Fires(survivor).Count), n => n >= 3, TimeSpan.FromSeconds(240), "the survivor to fire the schedule three times");
        var incidents = (await client.ListIncidents(new IncidentQuery(Kind: "TEST", Limit: 100))).OrderBy(i => i.IncidentDate).ToList();
        // Read after the list: every incident listed was logged by then (a fire due a minute later is left out of both).
        var afterKill = Fires(survivor);
        incidents = [.. incidents.Where(i => i.IncidentDate <= afterKill[^1])];
        output.WriteLine($"fired by the victim: {string.Join(", ", beforeKill.Select(d => d.ToString("HH:mm")))}; killed at {killedAt:HH:mm:ss}; " +
                         $"fired by the survivor: {string.Join(", ", afterKill.Select(d => d.ToString("HH:mm")))}");

        var dates = incidents.Select(i => i.IncidentDate).ToList();
        Assert.Equal(dates.Count, dates.Distinct().Count());
        Assert.All(dates, d => Assert.Equal(0, d.Second));
        // A due time the victim fired but had not recorded when it died is fired again by the survivor: the same incident.
        Assert.Equal(beforeKill.Concat(afterKill).Distinct().Order(), dates);
        // Every minute before the kill and after the survivor's first fire has its incident; a gap lies only where no
        // silo held the schedule, and RunOnce fired its latest minute once: the survivor's first fire.
        var gap = Enumerable.Range(0, Math.Max(0, (int)(afterKill[0] - beforeKill[^1]).TotalMinutes - 1)).Select(m => beforeKill[^1].AddMinutes(m + 1)).ToList();
        Assert.All(gap, minute => Assert.True(minute > killedAt.AddMinutes(-1), $"the minute {minute:HH:mm}, before the kill, has no incident"));
        Assert.Equal(Enumerable.Range(0, beforeKill.Count).Select(m => beforeKill[0].AddMinutes(m)), beforeKill);
        Assert.Equal(Enumerable.Range(0, afterKill.Count).Select(m => afterKill[0].AddMinutes(m)), afterKill);
    }

    /// <summary>The due times the silo fired, from its log ("Schedule minutely fired for &lt;due&gt;").</summary>
    private static IReadOnlyList<DateTimeOffset> Fires(SiloProcess silo) =>
        [.. Regex.Matches(silo.Log, $@"Schedule {Schedule} fired for (?<due>\S+):").Select(m => DateTimeOffset.Parse(m.Groups["due"].Value)).Distinct().Order()];
}
