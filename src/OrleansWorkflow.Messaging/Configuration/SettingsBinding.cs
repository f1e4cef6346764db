using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace OrleansWorkflow.Configuration;

/// <summary>
/// Binds a configuration section onto an options object with the platform's configuration binder, after checking
/// every value of the section against the type: the binder stops at the first value that does not convert, while
/// the engine's start-up error lists every bad setting at once, each by its key. Values are shown as
/// <see cref="Secrets"/> says (never a secret's).
/// </summary>
internal static class SettingsBinding
{
    /// <summary>
    /// Binds <paramref name="section"/> onto <paramref name="target"/>, leaving out the values that do not convert (so
    /// that the other values are bound and checked too); returns those, each naming its key.
    /// </summary>
    public static IReadOnlyList<string> Bind(IConfigurationSection section, object target)
    {
        var problems = new Problems();
        CheckObject(section, target.GetType(), problems);
        if (problems.Count == 0)
        {
            section.Bind(target);
            return problems;
        }
        var good = section.AsEnumerable().Where(setting => !problems.Covers(setting.Key));
        new ConfigurationBuilder().AddInMemoryCollection(good).Build().GetSection(section.Path).Bind(target);
        return problems;
    }

    /// <summary>The problems found, and the keys they are about.</summary>
    private sealed class Problems : List<string>
    {
        private readonly List<string> _paths = [];

        public void Add(IConfigurationSection setting, string problem)
        {
            _paths.Add(setting.Path);
            Add(problem);
        }

        public bool Covers(string path) => _paths.Any(bad =>
            path.Equals(bad, StringComparison.OrdinalIgnoreCase) || path.StartsWith(bad + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase));
    }

    private static void CheckObject(IConfigurationSection section, Type type, Problems problems)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var child = section.GetSection(property.Name);
            if (!child.Exists() || property.GetIndexParameters().Length > 0)
                continue;
            var propertyType = property.PropertyType;
            if (IsScalar(propertyType))
            {
                if (property.SetMethod is { IsPublic: true })
                    CheckValue(child, propertyType, property.Name, problems);
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
                CheckDictionary(child, propertyType.GetGenericArguments(), property.Name, problems);
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(List<>))
                CheckList(child, propertyType.GetGenericArguments()[0], property.Name, problems);
            else if (propertyType.IsClass && !typeof(IEnumerable).IsAssignableFrom(propertyType))
                CheckObject(child, propertyType, problems);
        }
    }

    private static void CheckDictionary(IConfigurationSection section, Type[] keyAndValue, string name, Problems problems)
    {
        foreach (var entry in section.GetChildren())
        {
            if (keyAndValue[0] != typeof(string) && !TryConvert(entry.Key, keyAndValue[0], out var expected))
                problems.Add(entry, $"{entry.Path} names {Secrets.Shown(name, entry.Key)}; {expected}.");
            else
                CheckEntry(entry, keyAndValue[1], name, problems);
        }
    }

    /// <summary>
    /// Configuration lists are sections keyed 0, 1, 2...; keys with a gap (1 without 0) are refused, since the binder
    /// would number the entries anew and each entry's problems are named by its key.
    /// </summary>
    private static void CheckList(IConfigurationSection section, Type itemType, string name, Problems problems)
    {
        var entries = section.GetChildren().ToList();
        var keys = entries.Select(e => int.TryParse(e.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).Order().ToList();
        if (!keys.SequenceEqual(Enumerable.Range(0, keys.Count)))
        {
            problems.Add(section, $"{section.Path} has entries {string.Join(", ", entries.Select(e => e.Key).Order(StringComparer.Ordinal))}; number them 0, 1, 2... without a gap.");
            return;
        }
        foreach (var entry in entries)
            CheckEntry(entry, itemType, name, problems);
    }

    private static void CheckEntry(IConfigurationSection entry, Type type, string name, Problems problems)
    {
        if (IsScalar(type))
            CheckValue(entry, type, name, problems);
        else
            CheckObject(entry, type, problems);
    }

    private static void CheckValue(IConfigurationSection setting, Type type, string name, Problems problems)
    {
        if (setting.Value is null)
            problems.Add(setting, $"{setting.Path} is a section; set it to one value.");
        else if (!TryConvert(setting.Value, type, out var expected))
            problems.Add(setting, $"{setting.Path} is {Secrets.Shown(name, setting.Value)}; {expected}.");
    }

    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(Uri) || underlying == typeof(DateTimeOffset);
    }

    /// <summary>
    /// Whether the binder can take <paramref name="text"/> as a <paramref name="type"/>, by the type converter it uses;
    /// enums stricter than the binder: a defined name only, never a number.
    /// </summary>
    private static bool TryConvert(string text, Type type, out string expected)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsEnum)
        {
            expected = $"use one of: {string.Join(", ", Enum.GetNames(underlying))}";
            return !text.Any(char.IsDigit) && Enum.TryParse(underlying, text, ignoreCase: true, out var parsed) && Enum.IsDefined(underlying, parsed!);
        }
        expected = underlying switch
        {
            _ when underlying == typeof(TimeSpan) => "set a duration like 00:00:30",
            _ when underlying == typeof(bool) => "set true or false",
            _ when underlying == typeof(ushort) => "set a whole number from 0 to 65535",
            _ when underlying == typeof(int) || underlying == typeof(long) => "set a whole number",
            _ => $"set a {underlying.Name}",
        };
        if (underlying == typeof(string))
            return true;
        try
        {
            TypeDescriptor.GetConverter(underlying).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }
}
