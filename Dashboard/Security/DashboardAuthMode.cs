namespace Dashboard.Security;

/// <summary><c>Dashboard:Auth:Mode</c>.</summary>
public enum DashboardAuthMode
{
    /// <summary>Sign-in by token: a cookie for the browser, <c>Authorization: Bearer</c> for the API.</summary>
    BrowserToken,

    /// <summary>No sign-in; refused at start-up unless every listening address is loopback.</summary>
    Unsecured,
}
