using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Tests.Hosting;

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
    public void A_URI_that_is_not_AMQP_is_refused_with_the_expected_form()
    {
        var error = Assert.Throws<ArgumentException>(() => new RabbitMqOptions { Uri = "http://user:pw@host/" }.Validate());
        Assert.Contains("amqp://user:password@host:5672/vhost", error.Message);
        Assert.DoesNotContain(":pw@", error.Message);
    }

    [Fact]
    public void Retry_backoff_doubles_up_to_its_ceiling()
    {
        var retry = new DeliveryOptions { RetryBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(350) };
        Assert.Equal([100, 200, 350, 350], new[] { 1, 2, 3, 30 }.Select(n => retry.BackoffBefore(n).TotalMilliseconds));
    }

    [Fact]
    public void A_negative_retry_limit_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new DeliveryOptions { RetryLimit = -1 }.Validate());
        Assert.Contains("Workflow:RetryLimit", error.Message);
    }
}
