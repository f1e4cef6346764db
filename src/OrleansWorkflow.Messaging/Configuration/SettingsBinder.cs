using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace OrleansWorkflow.Configuration;

/// <summary>
/// Binds a configuration section onto a settings object property by property. Unlike the configuration binder, a
/// value that does not convert (an unknown enum name, "-1" for a port) does not stop the binding: it is reported by
/// its key, so that one start-up error can list every bad setting at once. Values are shown as <see cref="Secrets"/>
/// says (never a secret's).
/// </summary>
internal static class SettingsBinder
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="target"/>; returns what could not be bound, each naming its key.</summary>
    public static IReadOnlyList<string> Bind(IConfigurationSection section, object target)
    {
        var problems = new List<string>();
        BindObject(section, target, problems);
        return problems;
    }

    private static void BindObject(IConfigurationSection section, object target, List<string> problems)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var child = section.GetSection(property.Name);
            if (!child.Exists() || property.GetIndexParameters().Length > 0)
                continue;
            var type = property.PropertyType;
            if (IsScalar(type))
            {
                if (property.SetMethod is not { IsPublic: true })
                    continue;
                if (child.Value is null)
                    problems.Add($"{child.Path} is a section; set it to one value.");
                else if (TryConvert(child.Value, type, out var value, out var expected))
                    property.SetValue(target, value);
                else
                    problems.Add($"{child.Path} is {Shown(property, child.Value)}; {expected}.");
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string))
            {
                var entries = (IDictionary)(property.GetValue(target) ?? Activator.CreateInstance(type)!);
                var entryType = type.GetGenericArguments()[1];
                foreach (var entry in child.GetChildren())
                {
                    var value = entries.Contains(entry.Key) ? entries[entry.Key]! : Activator.CreateInstance(entryType)!;
                    BindObject(entry, value, problems);
                    entries[entry.Key] = value;
                }
                if (property.SetMethod is { IsPublic: true })
                    property.SetValue(target, entries);
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                // Configuration lists are sections keyed 0, 1, 2...: bound in that order, replacing the default list. Keys
                // with a gap (1 without 0) are refused: each entry's problems are named by its list index, which must be its key.
                var itemType = type.GetGenericArguments()[0];
                var items = (IList)Activator.CreateInstance(type)!;
                var entries = child.GetChildren().ToList();
                var keys = entries.Select(e => int.TryParse(e.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).Order().ToList();
                if (!keys.SequenceEqual(Enumerable.Range(0, keys.Count)))
                {
                    problems.Add($"{child.Path} has entries {string.Join(", ", entries.Select(e => e.Key).Order(StringComparer.Ordinal))}; number them 0, 1, 2... without a gap.");
                    continue;
                }
                foreach (var entry in entries.OrderBy(e => int.Parse(e.Key, CultureInfo.InvariantCulture)))
                {
                    if (!IsScalar(itemType))
                    {
                        var item = Activator.CreateInstance(itemType)!;
                        BindObject(entry, item, problems);
                        items.Add(item);
                    }
                    else if (entry.Value is not null && TryConvert(entry.Value, itemType, out var value, out var expected))
                        items.Add(value);
                    else
                        problems.Add($"{entry.Path} is {(entry.Value is null ? "a section" : Shown(property, entry.Value))}; set one value.");
                }
                if (property.SetMethod is { IsPublic: true })
                    property.SetValue(target, items);
            }
            else if (type.IsClass && !typeof(IEnumerable).IsAssignableFrom(type))
            {
                var value = property.GetValue(target);
                if (value is null)
                {
                    if (property.SetMethod is not { IsPublic: true })
                        continue;
                    value = Activator.CreateInstance(type)!;
                    property.SetValue(target, value);
                }
                BindObject(child, value, problems);
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(Uri) || underlying == typeof(DateTimeOffset);
    }

    private static bool TryConvert(string text, Type type, out object? value, out string expected)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        value = null;
        if (underlying.IsEnum)
        {
            expected = $"use one of: {string.Join(", ", Enum.GetNames(underlying))}";
            if (!text.Any(char.IsDigit) && Enum.TryParse(underlying, text, ignoreCase: true, out var parsed) && Enum.IsDefined(underlying, parsed!))
            {
                value = parsed;
                return true;
            }
            return false;
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
        {
            value = text;
            return true;
        }
        try
        {
            value = TypeDescriptor.GetConverter(underlying).ConvertFromString(null, CultureInfo.InvariantCulture, text);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Shown(PropertyInfo property, string value) => Secrets.Shown(property.Name, value);
}
