@REM Maven wrapper for Windows: runs the Maven version pinned in .mvn\wrapper\maven-wrapper.properties.
@REM Same rules as ./mvnw: %MVNW_REPOURL% if set, otherwise an installed mvn resolves the distribution.
@echo off
setlocal
set "BASEDIR=%~dp0"
for /f "tokens=2 delims==" %%v in ('findstr /b "mavenVersion=" "%BASEDIR%.mvn\wrapper\maven-wrapper.properties"') do set "MVN_VERSION=%%v"
if "%MAVEN_USER_HOME%"=="" set "MAVEN_USER_HOME=%USERPROFILE%\.m2"
set "DISTS=%MAVEN_USER_HOME%\wrapper\dists"
set "MVN_HOME=%DISTS%\apache-maven-%MVN_VERSION%"
if exist "%MVN_HOME%\bin\mvn.cmd" goto run
if not exist "%DISTS%" mkdir "%DISTS%"
set "ARCHIVE=%TEMP%\apache-maven-%MVN_VERSION%-bin.zip"
if not "%MVNW_REPOURL%"=="" (
  powershell -NoProfile -Command "Invoke-WebRequest -UseBasicParsing -OutFile '%ARCHIVE%' '%MVNW_REPOURL%/org/apache/maven/apache-maven/%MVN_VERSION%/apache-maven-%MVN_VERSION%-bin.zip'" || exit /b 1
) else (
  call mvn -q -B dependency:get -Dartifact=org.apache.maven:apache-maven:%MVN_VERSION%:zip:bin -Dtransitive=false || exit /b 1
  copy /y "%MAVEN_USER_HOME%\repository\org\apache\maven\apache-maven\%MVN_VERSION%\apache-maven-%MVN_VERSION%-bin.zip" "%ARCHIVE%" >nul || exit /b 1
)
powershell -NoProfile -Command "Expand-Archive -Force '%ARCHIVE%' '%DISTS%'" || exit /b 1
:run
set "MAVEN_PROJECTBASEDIR=%BASEDIR:~0,-1%"
"%MVN_HOME%\bin\mvn.cmd" %*
