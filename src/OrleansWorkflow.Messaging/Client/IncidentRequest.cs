using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Client;

/// <summary>An incident to create with <see cref="WorkflowClient.CreateIncidents"/>: what <see cref="WorkflowClient.CreateIncident"/> takes.</summary>
public sealed record IncidentRequest(string Name, string Kind, DateTimeOffset? IncidentDate = null, IncidentTerms? Terms = null);
