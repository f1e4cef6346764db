namespace OrleansWorkflow.Configuration;

/// <summary>How a client connected through a gateway names itself: an API key sent with each call.</summary>
internal static class GatewayApiKey
{
    /// <summary>The Orleans <c>RequestContext</c> entry holding the key; WorkflowClient sets it from WorkflowClientOptions.ApiKey.</summary>
    public const string RequestContextKey = "owf-api-key";
}
