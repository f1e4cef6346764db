using OrleansWorkflow.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using OrleansWorkflow.Configuration;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Tests.Hosting;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class OptionsTests
{
    [Fact]
    public void The_broker_password_never_reaches_a_log()
    {
        var options = new RabbitMqOptions { Uri = "amqp://fire:s3cret@broker.example:5672/emergency" };
        Assert.Equal("amqp://fire:***@broker.example:5672/emergency", options.RedactedUri);
        Assert.DoesNotContain("s3cret", options.RedactedUri);
    }

    [Fact]
    public void A_collector_or_identity_provider_URL_too_malformed_to_use_is_named_without_its_password()
    {
        var telemetry = Assert.Single(new TelemetryOptions { OtlpEndpoint = "http//collector-user:otlp-pw@collector:4317" }.Problems());
        var web = new OrleansWorkflow.Web.WebOptions { Jwt = { Authority = "http://idp-user:idp-pw@login.example.org/realms/fire" } }.Problems().Single(p => p.StartsWith("Web:Jwt:Authority", StringComparison.Ordinal));

        Assert.StartsWith("Telemetry:OtlpEndpoint \"http//collector-user:***@collector:4317\" is not a URL", telemetry);
        Assert.DoesNotContain("otlp-pw", telemetry);
        Assert.DoesNotContain("idp-pw", web);
    }

    [Theory]
    [InlineData("Password", true)]
    [InlineData("ClientSecret", true)]
    [InlineData("ApiKey", true)]
    [InlineData("AccessToken", true)]
    [InlineData("Hash", true)]
    [InlineData("Uri", false)]
    [InlineData("Prefetch", false)]
    public void One_rule_names_the_settings_whose_values_are_never_shown(string name, bool secret)
    {
        Assert.Equal(secret, Secrets.IsSecret(name));
        Assert.Equal(secret ? "not valid" : "\"x-y\"", Secrets.Shown(name, "x-y"));
    }

    [Fact]
    public void A_URI_that_is_not_AMQP_is_refused_with_the_expected_form()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new RabbitMqOptions { Uri = "http://user:pw@host/" }.Validate());
        Assert.Contains("amqp://user:password@host:5672/vhost", error.Message);
        Assert.DoesNotContain(":pw@", error.Message);
    }

    [Fact]
    public void Retry_backoff_doubles_up_to_its_ceiling()
    {
        var retry = new WorkflowOptions { RetryBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(350) };
        Assert.Equal([100, 200, 350, 350], new[] { 1, 2, 3, 30 }.Select(n => retry.BackoffBefore(n).TotalMilliseconds));
    }

    [Theory]
    [InlineData("", 100)]
    [InlineData(";Maximum Pool Size=41", 41)]
    public void The_providers_and_the_journals_together_open_at_most_the_connection_strings_Max_Pool_Size(string pool, int total)
    {
        var storage = new StorageOptions { PostgreSql = "Host=127.0.0.1;Username=owf;Database=orleans_workflow" + pool };

        var providers = new Npgsql.NpgsqlConnectionStringBuilder(storage.ProviderConnectionString).MaxPoolSize;
        var journals = new Npgsql.NpgsqlConnectionStringBuilder(storage.JournalConnectionString).MaxPoolSize;

        Assert.Equal(total, providers + journals);
        Assert.True(providers > 0 && journals > 0, $"{providers} + {journals}");
        Assert.Empty(storage.Problems());
    }

    [Fact]
    public void A_pool_of_one_connection_is_refused_naming_the_setting() =>
        Assert.Contains("Maximum Pool Size=1", Assert.Single(new StorageOptions { PostgreSql = "Host=127.0.0.1;Username=owf;Maximum Pool Size=1" }.Problems()));

    [Fact]
    public void A_negative_retry_limit_is_refused()
    {
        var problem = Assert.Single(new WorkflowOptions { RetryLimit = -1 }.Problems());
        Assert.Contains("Workflow:RetryLimit", problem);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("06:00:01")]
    public void A_handler_timeout_of_nothing_or_of_hours_is_refused_naming_the_setting(string timeout)
    {
        var problem = Assert.Single(new WorkflowOptions { HandlerTimeout = TimeSpan.Parse(timeout) }.Problems());
        Assert.Contains("Workflow:HandlerTimeout", problem);
        Assert.Contains("simulation", problem);
    }

    [Fact]
    public void A_negative_retention_and_an_empty_dead_letter_queue_limit_are_refused_naming_the_setting_and_0_keeps_data_forever()
    {
        Assert.Contains("Workflow:Retention", Assert.Single(new WorkflowOptions { Retention = TimeSpan.FromDays(-1) }.Problems()));
        Assert.Empty(new WorkflowOptions { Retention = TimeSpan.Zero }.Problems());
        Assert.Contains("RabbitMQ:DeadLetterLimit", Assert.Single(new RabbitMqOptions { DeadLetterLimit = 0 }.Problems()));
    }

    [Fact]
    public void The_brokers_other_nodes_come_after_the_URIs_host_with_its_port_by_default_and_a_bad_one_is_named()
    {
        var options = new RabbitMqOptions { Uri = "amqps://fire:s3cret@rabbit-1.example/emergency", Hosts = ["rabbit-2.example", "10.0.0.3:5673"] };
        Assert.Empty(options.Problems());
        Assert.Equal([("rabbit-1.example", 5671), ("rabbit-2.example", 5671), ("10.0.0.3", 5673)], options.Nodes());

        var problem = Assert.Single(new RabbitMqOptions { Hosts = ["rabbit-2:notaport"] }.Problems());
        Assert.Contains("RabbitMQ:Hosts has \"rabbit-2:notaport\"", problem);
        Assert.Single(new RabbitMqOptions { Hosts = ["amqp://guest:guest@rabbit-2/"] }.Problems());
    }

    [Theory]
    [InlineData("30.00:00:00", "01:00:00")]
    [InlineData("00:10:00", "00:01:00")]
    [InlineData("00:00:03", "00:00:01")]
    public void Finished_incidents_are_swept_every_tenth_of_the_retention_within_a_second_and_an_hour(string retention, string period) =>
        Assert.Equal(TimeSpan.Parse(period), OrleansWorkflow.Incidents.RetentionService.SweepPeriod(TimeSpan.Parse(retention)));

    [Fact]
    public void The_grain_call_of_a_delivery_outlasts_the_longest_handler_timeout_allowed() =>
        Assert.Empty(new WorkflowOptions { HandlerTimeout = TimeSpan.Parse(WorkflowOptions.DeliverCallTimeout) - TimeSpan.FromHours(1) }.Problems());

    [Fact]
    public void A_URI_too_malformed_to_parse_still_hides_its_password()
    {
        var problem = Assert.Single(new RabbitMqOptions { Uri = "amqp//fire:s3cret@broker.example:5672/" }.Problems());
        Assert.Contains("RabbitMQ:Uri", problem);
        Assert.DoesNotContain("s3cret", problem);
    }

    [Fact]
    public void Values_that_do_not_convert_are_each_named_by_key_and_the_rest_is_bound()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RabbitMQ:QueueType"] = "lazy",
            ["RabbitMQ:Prefetch"] = "-1",
            ["RabbitMQ:ConsumerConcurrency"] = "4",
            ["RabbitMQ:Uri"] = "amqp://127.0.0.1/",
        }).Build();
        var options = new RabbitMqOptions();

        var problems = SettingsBinding.Bind(configuration.GetSection(RabbitMqOptions.Section), options);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("RabbitMQ:QueueType is \"lazy\"", StringComparison.Ordinal) && p.Contains("Classic, Quorum"));
        Assert.Contains(problems, p => p.StartsWith("RabbitMQ:Prefetch is \"-1\"", StringComparison.Ordinal) && p.Contains("0 to 65535"));
        Assert.Equal(4, options.ConsumerConcurrency);
        Assert.Equal("amqp://127.0.0.1/", options.Uri);
    }

    [Fact]
    public void Machines_are_bound_by_name_and_an_unknown_scheduler_is_named_with_its_machine()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hpc:Machines:archer:Host"] = "login.archer.example",
            ["Hpc:Machines:archer:Scheduler"] = "lsf",
            ["Hpc:Machines:local:Scheduler"] = "PBS",
        }).Build();
        var options = new HpcOptions();

        var problems = SettingsBinding.Bind(configuration.GetSection(HpcOptions.Section), options);

        Assert.Contains("Hpc:Machines:archer:Scheduler is \"lsf\"", Assert.Single(problems));
        Assert.Equal("login.archer.example", options.Machines["archer"].Host);
        Assert.Equal(SchedulerKind.Pbs, options.Machines["local"].Scheduler);
    }

    [Fact]
    public void A_machines_placement_per_urgency_is_bound_from_configuration_and_an_unknown_urgency_is_named()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hpc:Machines:archer:Urgency:Emergency:Partition"] = "urgent",
            ["Hpc:Machines:archer:Urgency:Emergency:Qos"] = "high",
            ["Hpc:Machines:archer:Urgency:Routine:Reservation"] = "nightly",
            ["Hpc:Machines:archer:Urgency:Panic:Partition"] = "any",
        }).Build();
        var options = new HpcOptions();

        var problems = SettingsBinding.Bind(configuration.GetSection(HpcOptions.Section), options);

        Assert.Equal("Hpc:Machines:archer:Urgency:Panic names \"Panic\"; use one of: Routine, Urgent, Emergency.", Assert.Single(problems));
        var urgency = options.Machines["archer"].Urgency;
        Assert.Equal(2, urgency.Count);
        Assert.Equal(("urgent", "high"), (urgency[Incidents.IncidentUrgency.Emergency].Partition, urgency[Incidents.IncidentUrgency.Emergency].Qos));
        Assert.Equal("nightly", urgency[Incidents.IncidentUrgency.Routine].Reservation);
    }

    [Fact]
    public void A_schedule_is_bound_from_configuration_and_each_bad_setting_is_named_by_its_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workflow:Schedules:drill:Cron"] = "0 6 * * *",
            ["Workflow:Schedules:drill:TimeZone"] = "Europe/Paris",
            ["Workflow:Schedules:drill:Kind"] = "TEST",
            ["Workflow:Schedules:drill:Missed"] = "Skip",
            ["Workflow:Schedules:broken:Cron"] = "every morning",
            ["Workflow:Schedules:broken:TimeZone"] = "Mars/Olympus",
            ["Workflow:Schedules:broken:Message"] = "[1]",
        }).Build();
        var options = new WorkflowOptions();

        Assert.Empty(SettingsBinding.Bind(configuration.GetSection(WorkflowOptions.Section), options));
        var problems = options.Problems().ToList();

        Assert.Equal(("0 6 * * *", OrleansWorkflow.Time.MissedFires.Skip), (options.Schedules["drill"].Cron, options.Schedules["drill"].Missed));
        Assert.Equal(4, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("Workflow:Schedules:broken:", p));
        Assert.Equal(["Cron", "Kind", "Message", "TimeZone"], problems.Select(p => p.Split(':')[3].Split(' ')[0]).Order());
    }

    [Fact]
    public void API_keys_are_bound_from_configuration_in_order_and_a_key_given_in_place_of_its_hash_is_refused()
    {
        var key = OrleansWorkflow.Web.Security.ApiKeys.NewKey();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Web:ApiKeys:0:Name"] = "ops-desk",
            ["Web:ApiKeys:0:Role"] = "Operator",
            ["Web:ApiKeys:0:Hash"] = OrleansWorkflow.Web.Security.ApiKeys.Hash(key),
            ["Web:ApiKeys:1:Name"] = "careless",
            ["Web:ApiKeys:1:Role"] = "root",
            ["Web:ApiKeys:1:Hash"] = key,
        }).Build();
        var options = new OrleansWorkflow.Web.WebOptions();

        Assert.Empty(SettingsBinding.Bind(configuration.GetSection("Web"), options));
        var problems = options.Problems().ToList();

        Assert.Equal(["ops-desk", "careless"], options.ApiKeys.Select(k => k.Name));
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("Web:ApiKeys:1:Role \"root\" is not a role"));
        Assert.Contains(problems, p => p.Contains("Web:ApiKeys:1:Hash is not a key hash") && !p.Contains(key));
    }

    [Fact]
    public void A_list_whose_entries_leave_a_gap_is_refused_naming_its_keys_rather_than_renumbered()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Web:ApiKeys:1:Name"] = "second",
            ["Web:ApiKeys:1:Role"] = "root",
            ["Web:ApiKeys:1:Hash"] = "plain",
        }).Build();

        var problem = Assert.Single(SettingsBinding.Bind(configuration.GetSection("Web"), new OrleansWorkflow.Web.WebOptions()));

        Assert.Equal("Web:ApiKeys has entries 1; number them 0, 1, 2... without a gap.", problem);
    }

    [Fact]
    public void A_key_hash_is_sha256_of_the_key_and_new_keys_differ()
    {
        Assert.Equal("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", OrleansWorkflow.Web.Security.ApiKeys.Hash("test"));
        var a = OrleansWorkflow.Web.Security.ApiKeys.NewKey();
        Assert.NotEqual(a, OrleansWorkflow.Web.Security.ApiKeys.NewKey());
        Assert.StartsWith("owf_", a);
        Assert.True(OrleansWorkflow.Web.Security.ApiKeys.IsHash(OrleansWorkflow.Web.Security.ApiKeys.Hash(a)));
    }
}
