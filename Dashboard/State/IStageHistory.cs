namespace Dashboard.State;

/// <summary>
/// Past runs' durations by stage, kept beyond what memory holds (the history store): for each of
/// a backend's recent completed runs that reached <c>stage</c>, the time from the stage's first
/// appearance to the run's end.
/// </summary>
public interface IStageHistory
{
    IReadOnlyList<TimeSpan> RemainingFrom(string backend, string stage);
}
