namespace Dashboard.State;

/// <summary>Ended runs no longer held in memory (the history store), looked up by id.</summary>
public interface IRunArchive
{
    RunView? FindRun(string runId);
}
