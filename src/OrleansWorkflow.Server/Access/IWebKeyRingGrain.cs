namespace OrleansWorkflow.Access;

/// <summary>
/// The web view's data-protection key ring (the keys that sign session cookies and antiforgery tokens), kept in the
/// database so that every silo reads what another issued: a session opened on one silo works on all. Key 0.
/// </summary>
[EngineOnly]
internal interface IWebKeyRingGrain : IGrainWithIntegerKey
{
    /// <summary>Every key, as the XML data protection wrote it.</summary>
    Task<IReadOnlyList<string>> List();

    /// <summary>Keeps one more key (keys are never changed, only added; data protection retires them by date).</summary>
    Task Add(string xml);
}
