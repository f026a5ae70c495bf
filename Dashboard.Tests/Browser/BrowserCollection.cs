namespace Dashboard.Tests.Browser;

/// <summary>Browser tests share one Chromium and run one at a time (2-core CI).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "browser";
}
